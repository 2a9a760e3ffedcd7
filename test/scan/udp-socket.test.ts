// The UDP probe socket on loopback: a reply is open (its bytes the banner), port-unreachable
// is closed, a bound but silent port says nothing, a reply from another port is not seen.
import { afterAll, describe, expect, test } from "bun:test";
import { UdpSockets } from "../../src/scan/transport/udp-socket.ts";
import { type UdpReading, udpError } from "../../src/scan/transport/udp-states.ts";

const linux = process.platform === "linux";
const V4 = { family: 4 as const, bytes: Uint8Array.from([127, 0, 0, 1]), scopeId: 0 };
const V6 = {
  family: 6 as const,
  bytes: Uint8Array.from([...new Array(15).fill(0), 1]),
  scopeId: 0,
};

/** Read until something comes back or `timeoutMs` passes (then: nothing). */
async function settle(sockets: UdpSockets, fd: number, timeoutMs = 2000): Promise<UdpReading> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reading = sockets.read(fd);
    if (reading.kind !== "none" || Date.now() > deadline) return reading;
    await Bun.sleep(2);
  }
}

describe.skipIf(!linux)("UDP probe socket (loopback)", async () => {
  const echo = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: {
      data(s, data, port, addr) {
        s.send(Buffer.concat([Buffer.from("re:"), data]), port, addr);
      },
    },
  });
  const echo6 = await Bun.udpSocket({
    hostname: "::1",
    socket: {
      data(s, data, port, addr) {
        s.send(data, port, addr);
      },
    },
  });
  const silent = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { data() {} } });
  // Answers from a second socket: another source port, which a connected socket never sees.
  // (The kernel answers those with port-unreachable: the error handler takes it.)
  let spoofRefused = 0;
  const other = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: { data() {}, error: () => void spoofRefused++ },
  });
  const spoofing = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: {
      data(_s, _data, port, addr) {
        other.send("spoof", port, addr);
      },
    },
  });
  const closed = await Bun.udpSocket({ hostname: "127.0.0.1" });
  const closedPort = closed.port;
  closed.close();
  afterAll(() => {
    for (const s of [echo, echo6, silent, other, spoofing]) s.close();
  });
  const sockets = new UdpSockets([V4, V6]);

  async function probe(host: number, port: number, payload = "hello"): Promise<UdpReading> {
    const fd = sockets.open(host, port);
    expect(fd).toBeGreaterThan(0);
    expect(sockets.send(fd, [Buffer.from(payload)])).toBe(0);
    const reading = await settle(
      sockets,
      fd,
      port === silent.port || port === spoofing.port ? 300 : 2000,
    );
    sockets.close(fd);
    return reading;
  }

  test("a reply: open, its bytes kept", async () => {
    const reading = await probe(0, echo.port);
    expect(reading.kind).toBe("reply");
    if (reading.kind === "reply") expect(Buffer.from(reading.banner).toString()).toBe("re:hello");
  });

  test("IPv6 too", async () => {
    const reading = await probe(1, echo6.port, "six");
    expect(reading.kind).toBe("reply");
  });

  test("port-unreachable: closed", async () => {
    expect(await probe(0, closedPort)).toEqual({
      kind: "icmp",
      state: "closed",
      reason: "port-unreach",
      errno: 111,
    });
  });

  test("bound but silent, or answered from another port: nothing", async () => {
    expect((await probe(0, silent.port)).kind).toBe("none");
    expect((await probe(0, spoofing.port)).kind).toBe("none");
    expect(spoofRefused).toBeGreaterThan(0); // the spoof did arrive, and was turned away
  });

  test("no payload: an empty datagram still goes (the echo answers it)", async () => {
    const fd = sockets.open(0, echo.port);
    expect(sockets.send(fd, undefined)).toBe(0);
    const reading = await settle(sockets, fd);
    sockets.close(fd);
    expect(reading.kind === "reply" && Buffer.from(reading.banner).toString()).toBe("re:");
  });
});

describe("UDP error states", () => {
  test("ICMP errors by errno, nmap's names; local limits are no state", () => {
    expect(udpError(111)).toMatchObject({ state: "closed", reason: "port-unreach" });
    expect(udpError(113)).toMatchObject({ state: "filtered", reason: "host-unreach" });
    expect(udpError(101)).toMatchObject({ state: "filtered", reason: "net-unreach" });
    expect(udpError(92)).toMatchObject({ state: "filtered", reason: "proto-unreach" });
    expect(udpError(1)).toMatchObject({ state: "filtered", reason: "errno-1" });
    expect(udpError(105)).toEqual({ kind: "none" });
  });
});
