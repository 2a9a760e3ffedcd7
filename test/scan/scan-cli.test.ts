// tp-scan's command line as a user (often an nmap user) types it, run as the compiled ./tp-scan
// on loopback: the help says everything the command takes, each usage error names what the
// user gave, nmap's harmless flags are accepted, and the words after `--` are checked by nmap
// before any probe.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TCPSocketListener } from "bun";
import type { ArgsDef } from "citty";
import { freePort } from "../../scripts/lib/net.ts";
import { refuseRepeatedFlags } from "../../src/scan/commands/_nmap-args.ts";
import { nmapComplaint } from "../../src/scan/output/handoff.ts";
import { checkTimingTemplate } from "../../src/scan/run/settings.ts";
import { runExe } from "../helpers/exe.ts";

// Child processes (and nmap's start) on a shared 2-core machine.
setDefaultTimeout(60_000);

const NMAP = Bun.which("nmap");
let dir = "";
let listener: TCPSocketListener<undefined>;
let accepted = 0;
let closedPort = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tp-scancli-"));
  listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open() {
        accepted++;
      },
      data() {},
    },
  });
  do closedPort = await freePort();
  while (closedPort === listener.port);
});
afterAll(() => {
  listener.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

/** A usage error as the rules want it: exit 2, nothing on stdout, one line on stderr. */
function expectUsageError(r: { code: number; stdout: string; stderr: string }): string {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  return r.stderr;
}

describe("tp-scan --help", () => {
  let help = "";
  beforeAll(async () => {
    const r = await runExe("tp-scan", ["--help"]);
    expect(r.code).toBe(0);
    help = r.stdout;
  });

  test("usage: many targets and the nmap hand-off; every subcommand listed", () => {
    expect(help).toContain("Usage: tp-scan [OPTIONS] [TARGET]... [-- NMAP-ARGS]\n");
    const commands = help.slice(help.indexOf("Commands:"), help.indexOf("Arguments:"));
    for (const name of ["merge", "diff", "history", "completion"])
      expect(commands).toMatch(new RegExp(`\\n {2}${name} +\\S`));
    expect(help).toMatch(
      /\nArguments:\n {2}\[TARGET\]\.\.\. +Targets:.*\n {2}-- NMAP-ARGS +Run nmap/,
    );
  });

  test("the exit codes", () => {
    const codes = help.slice(help.indexOf("\nExit codes:\n"));
    for (const code of ["0", "1", "2", "130"])
      expect(codes).toMatch(new RegExp(`\\n {2}${code} +\\S`));
  });

  test("one placeholder per kind of value, never the flag's own name", () => {
    const hints: Array<[string, string]> = [
      ["-c, --concurrency", "N"],
      ["--retries", "N"],
      ["--rate", "N"],
      ["--seed", "N"],
      ["-t, --timeout", "DURATION"],
      ["--host-timeout", "DURATION"],
      ["--shard", "I/N"],
      ["-iL, --input-list", "FILE"],
      ["-oX, --output-xml", "FILE"],
      ["--resume", "FILE"],
      ["--show", "closed|filtered"],
      ["--engine", "auto|linux|portable"],
    ];
    for (const [flag, hint] of hints) expect(help).toContain(`${flag} <${hint}>`);
    // Placeholders made from a flag's name (<CONCURRENCY>, <HOST_TIMEOUT>) are what this replaced.
    for (const [, name = "", shown] of help.matchAll(/--([a-z-]+) <([^>]+)>/g))
      if (name !== "ports" && name !== "exclude-ports")
        expect({ name, shown }).not.toEqual({ name, shown: name.toUpperCase().replace(/-/g, "_") });
  });

  test("nmap's no-op flags are listed as such", () => {
    expect(help).toMatch(/\n {2}-n, --never-resolve +nmap's -n, accepted: no effect/);
    expect(help).toMatch(/\n {2}-v, -vv, --verbose +nmap's -v\/-vv, accepted: no effect/);
    expect(help).toMatch(/\n {2}-T, --timing <3\|4\|5> +nmap's -T3\/-T4\/-T5, accepted: no effect/);
    expect(help).toMatch(/\n {2}-sT, --connect-scan +connect\(\) scan, the default/);
  });

  test("completions offer what the placeholders say", async () => {
    const complete = async (...words: string[]) =>
      (await runExe("tp-scan", ["complete", "--", ...words])).stdout;
    expect(await complete("--show", "")).toMatch(/^closed\t\nfiltered\t\n/);
    expect(await complete("--engine", "")).toMatch(/^auto\t\nlinux\t\nportable\t\n/);
    expect(await complete("-T", "")).toMatch(/^3\t\n4\t\n5\t\n/);
    // ":0" asks the shell for its file names, ":4" forbids them.
    for (const flag of ["--resume", "-iL", "-oX", "--db"])
      expect({ flag, out: await complete(flag, "") }).toEqual({ flag, out: ":0\n" });
    expect(await complete("--seed", "")).toBe(":4\n");
  });
});

describe("a flag with a value given twice is refused, as nmap refuses two -p", () => {
  test.each([
    [
      ["-p", "80", "-p", "81"],
      "-p given twice ('80', '81'): one -p with a comma list, as in -p 80,81",
    ],
    [["--ports=80", "-p81"], "-p given twice ('80', '81')"],
    [
      ["-p", "80", "-c", "5", "--concurrency", "6"],
      "--concurrency given twice ('5', '6'): give it once",
    ],
    [["-p", "80", "-T4", "-T5"], "-T given twice ('4', '5')"],
    [["-p", "80", "-oX", "a.xml", "-oX", "b.xml"], "-oX given twice ('a.xml', 'b.xml')"],
  ])("%p", async (flags, message) => {
    const r = await runExe("tp-scan", ["127.0.0.1", ...flags]);
    expect(expectUsageError(r)).toContain(message);
  });

  test("the words after -- are nmap's, values are not flags, booleans may repeat", () => {
    const args: ArgsDef = {
      ports: { type: "string", alias: "p" },
      verbose: { type: "boolean", alias: ["v", "vv"] },
      input: { type: "string", alias: "iL" },
    };
    expect(() =>
      refuseRepeatedFlags(args, ["-p", "-", "-v", "-v", "--", "-p", "22"]),
    ).not.toThrow();
    expect(() => refuseRepeatedFlags(args, ["-p", "-1024", "--iL", "a"])).not.toThrow();
    expect(() => refuseRepeatedFlags(args, ["--iL", "a", "-iL", "b"])).toThrow(
      "-iL given twice ('a', 'b'): give it once",
    );
  });
});

describe("usage errors name what the user gave", () => {
  test.each([
    [["--json", "--jsonl"], "--json and --jsonl cannot be combined: both write to stdout"],
    [["--list", "-oG", "-"], "--list and -oG - cannot be combined"],
    [
      ["--jsonl", "-oX", "-", "--json"],
      "--json, --jsonl and -oX - cannot be combined: each writes",
    ],
  ])("%p", async (flags, message) => {
    const stderr = expectUsageError(await runExe("tp-scan", ["127.0.0.1", "-p", "80", ...flags]));
    expect(stderr).toContain(message);
    for (const other of ["--json", "--list", "--jsonl", "'-'"].filter((f) => !flags.includes(f)))
      expect(stderr).not.toContain(other);
  });

  test("an empty -iL file says so (file and stdin)", async () => {
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "# no target yet\n\n");
    const file = expectUsageError(await runExe("tp-scan", ["-iL", empty, "-p", "80"]));
    expect(file).toContain(`-iL: no target in '${empty}' (empty, or only comments)`);
    const stdin = expectUsageError(
      await runExe("tp-scan", ["-iL", "-", "-p", "80"], { stdin: "" }),
    );
    expect(stdin).toContain("-iL: no target in stdin");
  });
});

describe("nmap's flags that change nothing here", () => {
  test("-n -v -vv -T4 -sT: the same scan as without them", async () => {
    const ports = `${listener.port},${closedPort}`;
    const plain = await runExe("tp-scan", ["127.0.0.1", "-p", ports, "--list"]);
    const nmapStyle = await runExe("tp-scan", [
      "-n",
      "-v",
      "-vv",
      "-T4",
      "-sT",
      "127.0.0.1",
      "-p",
      ports,
      "--list",
    ]);
    expect(plain).toMatchObject({ code: 0, stdout: `${listener.port}\n` });
    expect(nmapStyle).toMatchObject({ code: 0, stdout: plain.stdout, stderr: "" });
    expect(
      (await runExe("tp-scan", ["127.0.0.1", "-p", String(closedPort), "-T", "insane"])).code,
    ).toBe(0);
  });

  test("-T0-2 (slow on purpose) and unknown -T values are refused", async () => {
    expect(expectUsageError(await runExe("tp-scan", ["127.0.0.1", "-p", "80", "-T2"]))).toContain(
      "-T2 (polite) slows the scan on purpose: use --rate N",
    );
    expect(() => checkTimingTemplate("sneaky")).toThrow("-T1 (sneaky)");
    expect(() => checkTimingTemplate("9")).toThrow("-T expects 0-5");
    for (const ok of ["3", "4", "5", "normal", "Aggressive", undefined])
      expect(() => checkTimingTemplate(ok)).not.toThrow();
  });
});

test("plurals: one port scanned is '1 port scanned'", async () => {
  const r = await runExe("tp-scan", ["127.0.0.1", "-p", String(closedPort)]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/\n1 port scanned in [\d.]+ s /);
});

describe.skipIf(!NMAP)("nmap's arguments after -- are checked before any probe", () => {
  test("a bad nmap option: one line, exit 2, no probe sent", async () => {
    const before = accepted;
    const r = await runExe("tp-scan", [
      "127.0.0.1",
      "-p",
      String(listener.port),
      "--",
      "--no-such-nmap-option",
    ]);
    expect(expectUsageError(r)).toBe(
      "tp-scan: error: nmap refuses the arguments after '--': nmap: unrecognized option '--no-such-nmap-option' (see 'tp-scan --help')\n",
    );
    expect(accepted).toBe(before);
  });

  test.each([
    [["-T9"], "Unknown timing mode"],
    [["--script", "no-such-script-tp"], "'no-such-script-tp' did not match a category"],
    [["-iL", "hosts.txt"], "nmap's -iL after '--' names targets of its own"],
    [["-p22"], "tp-scan gives nmap -p itself"],
  ])("%p", async (extra, message) => {
    const r = await runExe("tp-scan", ["127.0.0.1", "-p", String(closedPort), "--", ...extra]);
    expect(expectUsageError(r)).toContain(message);
  });

  test("good arguments pass, and the check writes none of nmap's output files", async () => {
    const xml = join(dir, "nmap-check.xml");
    // A closed port: nothing to hand to nmap, so only the check has run nmap.
    const r = await runExe("tp-scan", [
      "127.0.0.1",
      "-p",
      String(closedPort),
      "--",
      "-sV",
      "-oX",
      xml,
    ]);
    expect(r.code).toBe(0);
    expect(existsSync(xml)).toBe(false);
  });
});

test("nmapComplaint: the line that says what is wrong, without paths and boilerplate", () => {
  expect(
    nmapComplaint(
      "/usr/bin/nmap: unrecognized option '--x'\nSee the output of nmap -h for a summary of options.\n",
    ),
  ).toBe("nmap: unrecognized option '--x'");
  expect(
    nmapComplaint(
      "NSE: failed to initialize the script engine:\n/usr/share/nmap/nse_main.lua:833: 'x' did not match a category, filename, or directory\nstack traceback:\n\t[C]: in function 'error'\n\nQUITTING!\n",
    ),
  ).toBe(
    "NSE: failed to initialize the script engine: 'x' did not match a category, filename, or directory",
  );
});
