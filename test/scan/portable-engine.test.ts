// The engine choice and the portable engine's constants table (pure), and --engine through
// the compiled program. Both engines' exactness runs in engine.test.ts and lab.test.ts.
import { describe, expect, test } from "bun:test";
import * as linux from "../../src/scan/sys/libc.ts";
import { buildSockaddr } from "../../src/scan/sys/sockaddr.ts";
import { linuxErrnoOf, SYSTEMS, systemConstants } from "../../src/scan/sys/systems.ts";
import { parseEngine } from "../../src/scan/transport/engine-flag.ts";
import { resolveEngine } from "../../src/scan/transport/readiness.ts";
import { runExe } from "../helpers/exe.ts";

describe("engine choice", () => {
  test("auto is the Linux engine on Linux, the portable one elsewhere", () => {
    expect(resolveEngine("auto", "linux")).toBe("linux");
    expect(resolveEngine("auto", "darwin")).toBe("portable");
    expect(resolveEngine("auto", "win32")).toBe("portable");
    expect(resolveEngine("portable", "linux")).toBe("portable");
  });

  test("--engine: names checked, the Linux engine refused off Linux", () => {
    expect(parseEngine(undefined, "linux")).toBe("linux");
    expect(parseEngine("Portable", "linux")).toBe("portable");
    expect(parseEngine("auto", "darwin")).toBe("portable");
    expect(() => parseEngine("epoll", "linux")).toThrow("--engine expects auto, linux or portable");
    expect(() => parseEngine("linux", "win32")).toThrow("needs Linux");
  });
});

describe("per-system constants", () => {
  test("the Linux row is what the Linux engine runs with (libc.ts)", () => {
    const row = SYSTEMS.linux;
    expect(row.AF_INET6).toBe(linux.AF_INET6);
    expect(row.SOL_SOCKET).toBe(linux.SOL_SOCKET);
    expect(row.SO_ERROR).toBe(linux.SO_ERROR);
    expect(row.MSG_DONTWAIT).toBe(linux.MSG_DONTWAIT);
    expect(row.nonBlocking).toEqual({
      via: "socket-flag",
      SOCK_NONBLOCK: linux.SOCK_NONBLOCK,
      SOCK_CLOEXEC: linux.SOCK_CLOEXEC,
    });
    for (const [name, value] of Object.entries(row.errno))
      expect(linux.errnoNames[value]).toBe(name);
    expect(systemConstants("linux")).toBe(row);
    expect(systemConstants("freebsd")).toBeNull();
  });

  test("each row tells its error numbers apart (pending, refused, local limits)", () => {
    for (const row of Object.values(SYSTEMS)) {
      const e = row.errno;
      const distinct = [e.EINPROGRESS, e.ECONNREFUSED, e.EHOSTUNREACH, e.EMFILE, e.EADDRNOTAVAIL];
      expect(new Set(distinct).size).toBe(distinct.length);
      expect(row.poll.reventsOffset).toBe(row.poll.eventsOffset + 2);
    }
  });
});

describe("tp-scan --engine", () => {
  test("an unknown engine is a usage error (exit 2, one line)", async () => {
    const r = await runExe("tp-scan", ["127.0.0.1", "-p", "1", "--engine", "kqueue"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--engine expects auto, linux or portable");
  });

  test("both engines find the same open port through the executable", async () => {
    const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      for (const engine of ["linux", "portable"]) {
        const r = await runExe("tp-scan", [
          "127.0.0.1",
          "-p",
          `${l.port},1`,
          "--engine",
          engine,
          "--list",
        ]);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`${l.port}\n`);
      }
    } finally {
      l.stop(true);
    }
  });
});

describe("error numbers in Linux's numbering", () => {
  test("macOS numbers are translated by name; unknown ones never land on a Linux number", () => {
    const fromDarwin = linuxErrnoOf(SYSTEMS.darwin);
    expect(fromDarwin(61)).toBe(linux.ECONNREFUSED);
    expect(fromDarwin(36)).toBe(linux.EINPROGRESS);
    expect(fromDarwin(65)).toBe(linux.EHOSTUNREACH);
    expect(linux.LOCAL_ERRNOS.has(fromDarwin(35))).toBe(true); // EAGAIN
    expect(linux.errnoNames[fromDarwin(999)]).toBeUndefined();
    expect(fromDarwin(0)).toBe(0);
    expect(linuxErrnoOf(SYSTEMS.linux)(111)).toBe(111);
  });

  test("on Windows a would-block connect is pending, not a local limit", () => {
    const fromWindows = linuxErrnoOf(SYSTEMS.win32);
    expect(fromWindows(10035)).toBe(linux.EINPROGRESS);
    expect(fromWindows(10061)).toBe(linux.ECONNREFUSED);
  });
});

describe("socket addresses per system", () => {
  const v4 = { family: 4 as const, bytes: new Uint8Array([127, 0, 0, 1]), scopeId: 0 };
  const v6 = { family: 6 as const, bytes: new Uint8Array(16).fill(0).fill(1, 15), scopeId: 3 };

  test("Linux and Windows: a two-byte family first", () => {
    expect([...buildSockaddr(v4, SYSTEMS.linux).subarray(0, 8)]).toEqual([
      2, 0, 0, 0, 127, 0, 0, 1,
    ]);
    const sa6 = buildSockaddr(v6, SYSTEMS.win32);
    expect(sa6.length).toBe(28);
    expect([sa6[0], sa6[1], sa6[23], sa6[24]]).toEqual([23, 0, 1, 3]);
  });

  test("macOS: sin_len, then a one-byte family (AF_INET6 = 30)", () => {
    expect([...buildSockaddr(v4, SYSTEMS.darwin).subarray(0, 8)]).toEqual([
      16, 2, 0, 0, 127, 0, 0, 1,
    ]);
    const sa6 = buildSockaddr(v6, SYSTEMS.darwin);
    expect([sa6[0], sa6[1], sa6[23], sa6[24]]).toEqual([28, 30, 1, 3]);
  });
});
