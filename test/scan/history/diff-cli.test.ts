// `tp-scan diff` as users run it, on real scans of listeners this test opens on the loopback:
// tp-scan's --jsonl and -oX, and nmap's -oX when nmap is installed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../../../scripts/lib/run.ts";
import { runExe } from "../../helpers/exe.ts";
import { type KnownPorts, knownPorts } from "../../helpers/loopback-ports.ts";

const dir = mkdtempSync(join(tmpdir(), "tp-diff-"));
const hasNmap = Bun.which("nmap") !== null;
if (!hasNmap) console.warn("skip nmap -oX diffs: nmap is not installed");
let ports: KnownPorts;
let reopened: Array<{ stop(closeActive: boolean): void }> = [];
const file = (name: string) => join(dir, name);

async function scanAll(tag: string, spec: string): Promise<void> {
  const tp = await runExe("tp-scan", [
    "127.0.0.1",
    "-p",
    spec,
    "-oX",
    file(`${tag}.xml`),
    "--jsonl",
  ]);
  expect(tp.code).toBe(0);
  await Bun.write(file(`${tag}.jsonl`), tp.stdout);
  if (!hasNmap) return;
  const nmap = await runCommand(
    ["nmap", "-sT", "-Pn", "-n", "-p", spec, "127.0.0.1", "-oX", file(`nmap-${tag}.xml`)],
    { timeoutMs: 60_000 },
  );
  expect(nmap.code).toBe(0);
}

// Before: open[0..2] listen. After: open[0] stopped, closed[0] listening.
beforeAll(async () => {
  ports = await knownPorts(3, 3);
  await scanAll("before", ports.spec);
  ports.stop();
  const [keep1, keep2] = [ports.open[1], ports.open[2]];
  reopened = [keep1, keep2, ports.closed[0]].map((port) =>
    Bun.listen({ hostname: "127.0.0.1", port: port as number, socket: { data() {} } }),
  );
  await scanAll("after", ports.spec);
}, 120_000);
afterAll(() => {
  for (const l of reopened) l.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

async function diffLines(old: string, next: string) {
  const run = await runExe("tp-scan", ["diff", file(old), file(next), "--jsonl"]);
  expect(run.stderr).toBe("");
  const lines = run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  return { code: run.code, lines, changes: lines.filter((l) => l.type.startsWith("port-")) };
}

const expected = () => [
  { type: "port-closed", port: ports.open[0] as number, now: "closed" },
  { type: "port-opened", port: ports.closed[0] as number, was: "closed" },
];
const sorted = <T extends { port: number }>(list: T[]) => [...list].sort((a, b) => a.port - b.port);

for (const [label, old, next] of [
  ["tp-scan --jsonl", "before.jsonl", "after.jsonl"],
  ["tp-scan -oX", "before.xml", "after.xml"],
  ["tp-scan --jsonl against tp-scan -oX", "before.jsonl", "after.xml"],
] as const) {
  test(`${label}: the port that closed and the one that opened, exit 1`, async () => {
    const { code, changes, lines } = await diffLines(old, next);
    expect(code).toBe(1);
    expect(sorted(changes)).toEqual(sorted(expected()).map((c) => expect.objectContaining(c)));
    expect(lines.at(-1)).toMatchObject({ type: "summary", opened: 1, closed: 1, hosts: 1 });
  });
}

test.skipIf(!hasNmap)("nmap -oX against nmap -oX, and nmap's against tp-scan's", async () => {
  const nmap = await diffLines("nmap-before.xml", "nmap-after.xml");
  expect(nmap.code).toBe(1);
  expect(sorted(nmap.changes)).toEqual(sorted(expected()).map((c) => expect.objectContaining(c)));
  expect(nmap.lines[0].old.scanner).toBe("nmap");
  const mixed = await diffLines("nmap-before.xml", "after.jsonl");
  expect(sorted(mixed.changes)).toEqual(sorted(expected()).map((c) => expect.objectContaining(c)));
  // Same listeners, two scanners: no change.
  const same = await runExe("tp-scan", ["diff", file("nmap-after.xml"), file("after.xml")]);
  expect(same.code).toBe(0);
  expect(same.stdout).toContain("no change (1 host compared)");
});

test("text report: one line a change, then the counts", async () => {
  const run = await runExe("tp-scan", ["diff", file("before.jsonl"), file("after.jsonl")]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(`- 127.0.0.1 ${ports.open[0]}/tcp closed (was open`);
  expect(run.stdout).toContain(`+ 127.0.0.1 ${ports.closed[0]}/tcp open`);
  expect(run.stdout).toMatch(/1 host compared: 0 up, 0 gone; 1 port opened, 1 closed/);
});

test("errors are one line with exit 2: a missing file, a file of another kind, one file only", async () => {
  await Bun.write(file("notes.txt"), "hello\n");
  for (const [args, message] of [
    [[file("before.jsonl"), file("missing.jsonl")], /cannot read '.*missing\.jsonl' \(ENOENT\)/],
    [[file("before.jsonl"), file("notes.txt")], /not a tp-scan --jsonl file nor an nmap -oX file/],
    [[file("before.jsonl")], /diff needs two scan files/],
  ] as const) {
    const run = await runExe("tp-scan", ["diff", ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  }
});
