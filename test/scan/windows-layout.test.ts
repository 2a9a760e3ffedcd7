// The Windows engine's pure parts, everywhere: the SOCKET-to-id table, WSA error numbers in
// the engine's (Linux) numbering, and the byte layouts handed to ws2_32 (WSAPOLLFD,
// sockaddr_in/in6, TCP_INITIAL_RTO_PARAMETERS), checked against winsock2.h/ws2def.h/mstcpip.h.
// The calls themselves run under Wine in test/windows/wine.test.ts.
import { describe, expect, test } from "bun:test";
import { errnoNames, LOCAL_ERRNOS } from "../../src/scan/sys/libc.ts";
import { buildSockaddr } from "../../src/scan/sys/sockaddr.ts";
import { SocketHandles } from "../../src/scan/sys/socket-handles.ts";
import { linuxErrnoOf, SYSTEMS } from "../../src/scan/sys/systems.ts";
import {
  initialRtoParameters,
  SIO_TCP_INITIAL_RTO,
  TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS,
} from "../../src/scan/sys/winsock.ts";

const win = SYSTEMS.win32;
const nameOf = (wsaError: number) => errnoNames[linuxErrnoOf(win)(wsaError)];

describe("SOCKET handles as small ids", () => {
  test("any handle value gets an id; ids of closed sockets are reused first", () => {
    const ids = new SocketHandles();
    const big = 2 ** 40 + 4; // a handle far past any table the engine indexes
    const a = ids.add(0x1f4);
    const b = ids.add(big);
    expect(a).toBeGreaterThan(2); // never 0, 1, 2
    expect(b).toBe(a + 1);
    expect(ids.handleOf(a)).toBe(0x1f4);
    expect(ids.handleOf(b)).toBe(big);
    ids.remove(a);
    expect(ids.open).toBe(1);
    expect(ids.add(0x2a8)).toBe(a);
    expect(ids.handleOf(a)).toBe(0x2a8);
  });

  test("ids stay below the most sockets open at once, however many come and go", () => {
    const ids = new SocketHandles();
    const held: number[] = [];
    let highest = 0;
    for (let i = 0; i < 20_000; i++) {
      held.push(ids.add(0x10000 + 4 * i));
      if (held.length > 300) ids.remove(held.splice((i * 7919) % held.length, 1)[0] as number);
      highest = Math.max(highest, ...held.slice(-1));
    }
    expect(ids.open).toBe(held.length);
    expect(highest).toBeLessThan(301 + 3);
    for (const id of held) expect(ids.handleOf(id)).toBeGreaterThanOrEqual(0x10000);
  });
});

describe("WSA error numbers", () => {
  test("each maps onto the outcome rule the brief's table gives it", () => {
    expect(nameOf(10061)).toBe("ECONNREFUSED"); // closed
    expect(nameOf(10035)).toBe("EINPROGRESS"); // WSAEWOULDBLOCK: pending
    expect(nameOf(10036)).toBe("EINPROGRESS"); // WSAEINPROGRESS: pending
    expect(nameOf(10037)).toBe("EALREADY"); // pending
    expect(nameOf(10056)).toBe("EISCONN"); // connected
    expect(nameOf(10060)).toBe("ETIMEDOUT");
    expect(nameOf(10065)).toBe("EHOSTUNREACH");
    expect(nameOf(10051)).toBe("ENETUNREACH");
    expect(nameOf(10054)).toBe("ECONNRESET");
  });

  test("the local limits are retried, never taken for a port's state", () => {
    for (const wsa of [10024, 10055, 10049, 10048])
      expect({ wsa, local: LOCAL_ERRNOS.has(linuxErrnoOf(win)(wsa)) }).toEqual({
        wsa,
        local: true,
      });
    for (const wsa of [10061, 10060, 10065, 10051])
      expect({ wsa, local: LOCAL_ERRNOS.has(linuxErrnoOf(win)(wsa)) }).toEqual({
        wsa,
        local: false,
      });
  });

  test("an unknown WSA error keeps its own number (no Linux errno has it)", () => {
    expect(linuxErrnoOf(win)(10053)).toBe(10053); // WSAECONNABORTED
    expect(linuxErrnoOf(win)(0)).toBe(0);
    expect(linuxErrnoOf(SYSTEMS.darwin)(96)).toBe(10_096); // macOS: offset, as before
  });
});

describe("layouts handed to ws2_32", () => {
  test("WSAPOLLFD: 8-byte SOCKET, events at 8, revents at 10, 16 bytes; flags of winsock2.h", () => {
    expect(win.poll).toEqual({
      symbol: "WSAPoll",
      POLLIN: 0x300, // POLLRDNORM | POLLRDBAND
      POLLOUT: 0x10, // POLLWRNORM
      POLLERR: 0x1,
      POLLHUP: 0x2,
      entrySize: 16,
      eventsOffset: 8,
      reventsOffset: 10,
    });
  });

  test("sockaddr_in and sockaddr_in6 with a two-byte family (AF_INET6 is 23)", () => {
    const v4 = buildSockaddr({ family: 4, bytes: new Uint8Array([127, 0, 0, 1]), scopeId: 0 }, win);
    expect([...v4]).toEqual([2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const addr = new Uint8Array(16);
    addr[15] = 1;
    const v6 = buildSockaddr({ family: 6, bytes: addr, scopeId: 7 }, win);
    expect(v6.length).toBe(28);
    expect([v6[0], v6[1]]).toEqual([23, 0]);
    expect(v6[23]).toBe(1);
    expect(new DataView(v6.buffer).getUint32(24, true)).toBe(7);
  });

  test("SIO_TCP_INITIAL_RTO asks for no SYN retransmission, RTT left to the system", () => {
    expect(SIO_TCP_INITIAL_RTO).toBe((0x80000000 | 0x18000000 | 17) >>> 0); // _WSAIOW(IOC_VENDOR,17)
    expect([...initialRtoParameters(TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS)]).toEqual([
      0xff, 0xff, 0xfe, 0,
    ]);
  });

  test("non-blocking through ioctlsocket(FIONBIO), and no reconnect on a used socket", () => {
    // FIONBIO = _IOW('f', 126, u_long)
    const fionbio = (0x80000000 | (4 << 16) | ("f".charCodeAt(0) << 8) | 126) >>> 0;
    expect(win.nonBlocking).toEqual({ via: "ioctlsocket", FIONBIO: fionbio });
    expect(win.reconnects).toBe(false);
    expect(SYSTEMS.linux.reconnects).toBe(true);
  });
});
