// The one multi-call executable: how an invocation picks its program (pure), and ./tp-net with
// its names as a user starts them: hard links from the build, symlinks, `tp-net scan`, `.exe`.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exePath, ROOT } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";
import { commandName, PROGRAMS, resolveInvocation } from "../../src/bin/programs.ts";

describe("resolveInvocation", () => {
  test.each([
    ["/usr/local/bin/tp-scan", "tp-scan"],
    ["tp-echo", "tp-echo"],
    ["C:\\tools\\TP-GUESS.EXE", "tp-guess"],
    ["./tp-net", "tp-net"],
  ])("commandName(%p) = %p", (path, name) => {
    expect(commandName(path)).toBe(name);
  });

  test("started as a program name: that program, every argument its own", () => {
    expect(resolveInvocation(["./tp-scan", "/x/tp-net"], ["scan", "-p", "1"])).toEqual({
      program: "tp-scan",
      args: ["scan", "-p", "1"],
    });
  });

  test("a hard link's name shows in the executable path when argv[0] says bun", () => {
    expect(resolveInvocation(["bun", "/opt/tp-echo"], ["--port", "1"]).program).toBe("tp-echo");
  });

  test.each([
    ["scan", "tp-scan"],
    ["echo", "tp-echo"],
    ["guess", "tp-guess"],
    ["tp-guess", "tp-guess"],
  ])("tp-net %s ... runs %s with the rest", (first, program) => {
    expect(resolveInvocation(["tp-net"], [first, "a", "--b"])).toEqual({
      program: program as (typeof PROGRAMS)[number],
      args: ["a", "--b"],
    });
  });

  test("tp-net with anything else is tp-net itself (its help, its errors)", () => {
    expect(resolveInvocation(["tp-net.exe"], ["--help"]).program).toBe("tp-net");
    expect(resolveInvocation(["tp-net"], ["weird"]).program).toBe("tp-net");
    expect(resolveInvocation(["tp-net"], []).program).toBe("tp-net");
  });
});

describe("./tp-net and its names", () => {
  const dir = mkdtempSync(join(tmpdir(), `tp-multicall-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the build's program names are hard links of one file (one runtime on disk)", () => {
    const net = statSync(join(ROOT, "tp-net"));
    for (const program of PROGRAMS) {
      const st = statSync(join(ROOT, program), { throwIfNoEntry: false });
      expect(st?.ino).toBe(net.ino);
    }
    expect(net.nlink).toBeGreaterThanOrEqual(1 + PROGRAMS.length);
  });

  // Each name's help starts with its own usage line: the name picked the program.
  const usage: Record<string, RegExp> = {
    "tp-echo": /\nUsage: tp-echo \[OPTIONS\]\n/,
    "tp-guess": /\nUsage: tp-guess <COMMAND> \.\.\.\n/,
    "tp-scan": /\nUsage: tp-scan .*TARGET/,
  };

  for (const program of PROGRAMS) {
    const short = program.replace("tp-", "");
    test(`${program}: as the link, a symlink, a symlink named ${program}.exe, tp-net ${short}`, async () => {
      const link = join(dir, program);
      const exeLink = join(dir, `${program}.exe`);
      symlinkSync(join(ROOT, "tp-net"), link);
      symlinkSync(join(ROOT, "tp-net"), exeLink);
      for (const argv of [
        [join(ROOT, program)],
        [link],
        [exeLink],
        [join(ROOT, "tp-net"), short],
      ]) {
        const r = await runCommand([...argv, "--help"]);
        expect({ argv, code: r.code, usage: usage[program]?.test(r.stdout) }).toEqual({
          argv,
          code: 0,
          usage: true,
        });
      }
    });
  }

  test("tp-net alone lists the three programs and exits 2; an unknown one is a usage error", async () => {
    const bare = await runCommand([exePath("tp-net")]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/echo[\s\S]*guess[\s\S]*scan/);
    const bad = await runCommand([exePath("tp-net"), "ping"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/^tp-net: error: unknown command 'ping'/);
  });

  test("tp-net scan runs the scan Workers from the multi-call executable", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      // Two Workers even for a small range: each must start from tp-net's own entry point.
      const r = await runCommand(
        [join(ROOT, "tp-net"), "scan", "127.0.0.1", "-p", `${listener.port},1-1000`, "--list"],
        { env: { TP_SCAN_THREADS: "2" } },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.split(",").map(Number)).toContain(listener.port);
    } finally {
      listener.stop(true);
    }
  });
});
