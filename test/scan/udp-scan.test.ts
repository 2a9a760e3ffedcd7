// tp-scan -sU as a user runs it, on loopback: every port exact against `ss -lun` (a bound port
// is open or open|filtered, any other closed: loopback never rate-limits ICMP), replies and
// their banners, and the protocol in every output.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { udp } from "bun";
import { parseSsUdpBound, ssUdpBound } from "../../scripts/lib/ss.ts";
import { parsePortSpec } from "../../src/scan/ports/port-spec.ts";
import { runExe } from "../helpers/exe.ts";

setDefaultTimeout(120_000);
const hasSs = Bun.which("ss") !== null;

const ports = (spec: string | undefined) => (spec ? parsePortSpec(spec) : []);

describe("ss -lun parsing", () => {
  test("UNCONN rows bound to the address, its wildcard or *", () => {
    const text = [
      "UNCONN 0 0 127.0.0.1:53 0.0.0.0:*",
      "UNCONN 0 0 0.0.0.0:123 0.0.0.0:*",
      "UNCONN 0 0 10.0.0.1:161 0.0.0.0:*",
      "UNCONN 0 0 *:5353 *:*",
      "ESTAB 0 0 127.0.0.1:999 127.0.0.1:53",
    ].join("\n");
    expect(parseSsUdpBound(text)).toEqual([53, 123, 5353]);
  });
});

describe.skipIf(process.platform !== "linux" || !hasSs)("tp-scan -sU on loopback", () => {
  const sockets: udp.Socket<"buffer">[] = [];
  let echoPort = 0;
  let silentPort = 0;
  beforeAll(async () => {
    const echo = await Bun.udpSocket({
      hostname: "127.0.0.1",
      socket: {
        data(s, data, port, addr) {
          s.send(Buffer.concat([Buffer.from("pong "), data.subarray(0, 4)]), port, addr);
        },
      },
    });
    const silent = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { data() {} } });
    sockets.push(echo, silent);
    echoPort = echo.port;
    silentPort = silent.port;
  });
  afterAll(() => {
    for (const s of sockets) s.close();
  });

  test("1-65535 exact against ss -lun: bound ports open or open|filtered, the rest closed", async () => {
    const before = new Set(ssUdpBound());
    const r = await runExe("tp-scan", ["-sU", "-p-", "--jsonl", "127.0.0.1"], {
      timeoutMs: 100_000,
    });
    const after = new Set(ssUdpBound());
    expect(r.code).toBe(0);
    const host = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((l) => l.type === "host");
    expect(host.protocol).toBe("udp");
    const open = new Set(ports(host.open));
    const silent = new Set(ports(host["open|filtered"]));
    const closed = new Set(ports(host.closed));
    expect(open.has(echoPort)).toBe(true);
    expect(silent.has(silentPort)).toBe(true);
    expect(host.counts.scanned).toBe(65535);
    const wrong: number[] = [];
    for (let port = 1; port <= 65535; port++) {
      if (before.has(port) !== after.has(port)) continue; // changed during the scan: not judged
      if (closed.has(port) === before.has(port)) wrong.push(port);
    }
    expect(wrong).toEqual([]);
    expect(ports(host.filtered)).toEqual([]);
  });

  test("text, -oG, -oX: udp and nmap -sU's words; --banner shows the reply", async () => {
    const spec = `${echoPort},${silentPort},${echoPort === 1 ? 2 : 1}`;
    const text = await runExe("tp-scan", ["-sU", "-p", spec, "--banner", "127.0.0.1"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${echoPort}/udp +open .*pong`));
    expect(text.stdout).toContain("1 open|filtered");
    const g = await runExe("tp-scan", ["-sU", "-p", spec, "-oG", "-", "127.0.0.1"]);
    expect(g.stdout).toContain(`${echoPort}/open/udp//`);
    expect(g.stdout).toContain(`${silentPort}/open|filtered/udp//`);
    const x = await runExe("tp-scan", ["-sU", "-p", spec, "-oX", "-", "127.0.0.1"]);
    expect(x.stdout).toContain(
      `<port protocol="udp" portid="${echoPort}"><state state="open" reason="udp-response"`,
    );
    expect(x.stdout).toContain(`state="closed" reason="port-unreach"`);
  });

  test("--top-ports with -sU takes the UDP ranking", async () => {
    const r = await runExe("tp-scan", ["-sU", "--top-ports", "3", "--jsonl", "127.0.0.1"]);
    const scan = JSON.parse(r.stdout.split("\n")[0] as string);
    expect(r.code).toBe(0);
    // nmap-services' (or the embedded) UDP top 3: 631, 161, 137 (TCP's would be 80, 23, 443).
    expect(scan.ports).toBe("137,161,631");
  });
});
