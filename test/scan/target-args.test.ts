// The target flags: targetSettings and resolveTargets as library calls, then through the shared
// argv runner (-iL, -F, stdin) in a process of their own, as the scan command will run them.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../../scripts/lib/run.ts";
import type { InputSource } from "../../src/scan/targets/input-file.ts";
import { parseTargetList } from "../../src/scan/targets/input-file.ts";
import type { Lookup } from "../../src/scan/targets/resolve.ts";
import { resolveTargets, targetSettings } from "../../src/scan/targets/settings.ts";
import { UsageError } from "../../src/shared/errors.ts";

const dir = mkdtempSync(join(tmpdir(), `tp-targets-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files: Record<string, string> = {
  "hosts.txt": "# lab hosts\n192.0.2.1 192.0.2.2\t192.0.2.3   # three on a line\n\n  a.example\n",
  "skip.txt": "192.0.2.2\n# nothing else\n",
};
const input: InputSource = {
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    return text;
  },
  readStdin: () => "198.18.0.1-2\n",
};
const lookup: Lookup = async (name) => {
  if (name === "a.example") return [{ address: "192.0.2.100", family: 4 }];
  throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
};
const settings = (args: Record<string, unknown>) => targetSettings(args, input);

test("target lists: blanks and lines, # comments, empty lines", () => {
  expect(parseTargetList(files["hosts.txt"] as string)).toEqual([
    "192.0.2.1",
    "192.0.2.2",
    "192.0.2.3",
    "a.example",
  ]);
  expect(parseTargetList("")).toEqual([]);
  expect(parseTargetList("a\r\nb\r\n")).toEqual(["a", "b"]);
});

describe("targetSettings", () => {
  test("positionals first, then -iL; exclusions from --exclude and --exclude-file", () => {
    const s = settings({
      _: ["192.0.2.9"],
      "input-list": "hosts.txt",
      exclude: "192.0.2.3,192.0.2.200",
      "exclude-file": "skip.txt",
    });
    expect(s.targetSpecs).toEqual([
      "192.0.2.9",
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
      "a.example",
    ]);
    expect(s.excludeSpecs).toEqual(["192.0.2.3", "192.0.2.200", "192.0.2.2"]);
    expect(s.ports.length).toBe(65535);
  });

  test("-iL - reads stdin", () => {
    expect(settings({ "input-list": "-" }).targetSpecs).toEqual(["198.18.0.1-2"]);
  });

  test("ports come along", () => {
    const s = settings({ _: ["192.0.2.1"], ports: "20-30", "exclude-ports": "22" });
    expect(s.ports).toEqual([20, 21, 23, 24, 25, 26, 27, 28, 29, 30]);
  });

  test.each([
    [{}, /no target given/],
    [{ "input-list": "missing.txt" }, /-iL: cannot read 'missing.txt' \(ENOENT\)/],
    [{ _: ["x"], "exclude-file": "missing.txt" }, /--exclude-file: cannot read 'missing.txt'/],
    [{ "input-list": "-", "exclude-file": "-" }, /cannot both read stdin/],
    [{ _: ["192.0.2.300"] }, /target '192.0.2.300': octet 300/],
    [{ _: ["192.0.2.1"], exclude: "192.0.2.1/40" }, /--exclude '192.0.2.1\/40'/],
    [{ _: ["192.0.2.1"], exclude: "," }, /--exclude: empty list/],
    [{ _: ["10.0.0.0/8"] }, /add --allow-many/],
    [{ _: ["192.0.2.1"], fast: true, "top-ports": "5" }, /-F and --top-ports/],
  ])("rejects %p", (args, message) => {
    expect(() => settings(args)).toThrow(UsageError);
    expect(() => settings(args)).toThrow(message);
  });

  test("--allow-many lets a big range through", () => {
    expect(settings({ _: ["10.0.0.0/8"], "allow-many": true }).targets.length).toBe(1);
  });
});

describe("resolveTargets", () => {
  test("a name that fails is one warning; the rest is scanned, in order, without exclusions", async () => {
    const s = settings({ _: ["bad.example", "192.0.2.0/30", "a.example"], exclude: "192.0.2.1" });
    const r = await resolveTargets(s, { lookup });
    expect(r.warnings).toEqual(["cannot resolve 'bad.example' (ENOTFOUND): skipped"]);
    expect(r.failed).toBe(1);
    const addresses = [...r.targets].map((t) => t.address);
    expect(addresses).toEqual(["192.0.2.0", "192.0.2.2", "192.0.2.3", "192.0.2.100"]);
    expect(r.count).toBe(4);
    expect(r.countIsExact).toBe(true);
    // Iterable again, from the start.
    expect([...r.targets].length).toBe(4);
  });

  test("a name among the exclusions is resolved and left out", async () => {
    const s = settings({ _: ["192.0.2.100-101"], exclude: "a.example" });
    const r = await resolveTargets(s, { lookup });
    expect([...r.targets].map((t) => t.address)).toEqual(["192.0.2.101"]);
    expect(r.failed).toBe(0);
  });
});

describe("through the argv runner (nmap's -iL and -F)", () => {
  const fixture = join(import.meta.dir, "fixtures", "target-cli.ts");
  const run = (args: string[], stdin?: string) => runCommand(["bun", fixture, ...args], { stdin });
  writeFileSync(join(dir, "list.txt"), "127.0.0.1 127.0.0.2 # two\n127.0.0.3\n");

  test("-iL FILE, --exclude and -F", async () => {
    const r = await run(["-iL", join(dir, "list.txt"), "--exclude", "127.0.0.2", "-F"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.targets).toEqual(["127.0.0.1", "127.0.0.3"]);
    expect(out.topPorts).toBe(100);
    expect(out.ports.split(",").length).toBeGreaterThan(10);
  });

  test("-iL - reads stdin; a .invalid name: one warning, exit 1, the rest listed", async () => {
    const r = await run(
      ["-iL", "-", "--top-ports", "3"],
      "nowhere.invalid\n127.0.0.0/30\nlocalhost\n",
    );
    expect(r.stderr).toBe(
      "target-cli: warning: cannot resolve 'nowhere.invalid' (ENOTFOUND): skipped\n",
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.targets.slice(0, 4)).toEqual(["127.0.0.0", "127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    expect(out.ports.split(",").length).toBe(3);
  });

  test("usage errors: one line, exit 2", async () => {
    const r = await run(["127.0.0.0/8"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n").length).toBe(1);
    expect(r.stderr).toMatch(
      /more than 65536 target addresses \(127.0.0.0\/8 alone has 16777216\).*--allow-many/,
    );
    const bad = await run(["-iL"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '-iL' needs a value/);
  });
});
