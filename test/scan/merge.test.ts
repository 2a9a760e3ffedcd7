// tp-scan merge and --resume: parts of one scan give back the whole, parts of different scans
// are refused, and a run cut by Ctrl-C then resumed gives the full result.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TCPSocketListener } from "bun";
import { freePort } from "../../scripts/lib/net.ts";
import { exePath } from "../../scripts/lib/root.ts";
import { StreamReader } from "../../scripts/lib/stream.ts";
import type { ScanIdentity } from "../../src/scan/model/results.ts";
import { hostLine, runLine, scanLine } from "../../src/scan/output/jsonl.ts";
import { mergeJsonl } from "../../src/scan/output/jsonl-read.ts";
import { runExe } from "../helpers/exe.ts";
import { input, makeHost, range } from "./output-fixtures.ts";

setDefaultTimeout(60_000);

const PORTS = range(1, 300);
const OPEN = [22, 80, 143, 299];
const FILTERED = range(100, 120);

/** A --jsonl file for one part: the host with only `mine` ports known. */
function part(identity: ScanIdentity, mine: (port: number) => boolean): string {
  const host = makeHost(PORTS, {
    open: OPEN,
    filtered: FILTERED,
    unknown: PORTS.filter((p) => !mine(p)),
  });
  const { summary } = input([host]);
  return scanLine(identity, PORTS, summary) + hostLine(host) + runLine([host], summary);
}

const ID: ScanIdentity = {
  targetSpecs: ["127.0.0.1"],
  excludeSpecs: [],
  portSpec: "1-300",
  excludePortSpec: "",
  seed: 42,
  shard: { index: 1, count: 3 },
};
const shard = (index: number) => ({ ...ID, shard: { index, count: 3 } });

test("three shards merge to exactly the whole host, no conflict, no shard missing", () => {
  const files = [1, 2, 3].map((i) => ({
    name: `s${i}`,
    text: part(shard(i), (p) => p % 3 === i - 1),
  }));
  const merged = mergeJsonl(files);
  const whole = makeHost(PORTS, { open: OPEN, filtered: FILTERED });
  expect(merged.hosts).toHaveLength(1);
  expect([...(merged.hosts[0]?.states ?? [])]).toEqual([...whole.states]);
  expect(merged.hosts[0]?.counts).toEqual(whole.counts);
  expect(merged.hosts[0]?.interrupted).toBe(false);
  expect(merged).toMatchObject({ shards: [1, 2, 3], conflicts: 0, interrupted: false });
  expect(merged.identity.shard).toBeNull();
});

test("two shards of three: the host is partial (interrupted), its known ports exact", () => {
  const merged = mergeJsonl(
    [1, 3].map((i) => ({ name: `s${i}`, text: part(shard(i), (p) => p % 3 === i - 1) })),
  );
  expect(merged.hosts[0]?.interrupted).toBe(true);
  expect(merged.hosts[0]?.counts.scanned).toBe(PORTS.filter((p) => p % 3 !== 1).length);
});

test.each([
  ["targets", { targetSpecs: ["127.0.0.2"] }, /different targets/],
  ["ports", { portSpec: "1-301" }, /different ports/],
  ["seed", { seed: 43 }, /different seeds/],
  ["shard count", { shard: { index: 2, count: 4 } }, /different shard counts/],
])("files from scans with different %s are refused", (_, change, message) => {
  const a = { name: "a.jsonl", text: part(shard(1), () => true) };
  const b = { name: "b.jsonl", text: part({ ...shard(2), ...change }, () => true) };
  expect(() => mergeJsonl([a, b])).toThrow(message);
  expect(() => mergeJsonl([a, b])).toThrow(/^b\.jsonl is not from the scan of a\.jsonl/);
});

test("a cut last line (a killed run) is skipped; garbage elsewhere is refused", () => {
  const text = part(shard(1), () => true);
  const cut = `${text}{"type":"port","hostIn`;
  expect(mergeJsonl([{ name: "k", text: cut }]).hosts).toHaveLength(1);
  expect(() => mergeJsonl([{ name: "g", text: `${text}oops\n${text}` }])).toThrow(
    /g:4: not a tp-scan/,
  );
  expect(() => mergeJsonl([{ name: "n", text: '{"type":"host"}\n' }])).toThrow(
    /no scan line first/,
  );
});

let dir = "";
const listeners: TCPSocketListener[] = [];
const HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
let port = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `tp-merge-${process.pid}-`));
  port = await freePort();
  for (const hostname of HOSTS)
    listeners.push(Bun.listen({ hostname, port, socket: { data() {} } }));
});
afterAll(() => {
  for (const l of listeners) l.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

/** The rate is computed from an elapsed time the --jsonl file keeps to 0.1 ms: not compared. */
const withoutRate = (report: string) => report.replace(/\([\d,]+ ports\/s\)/g, "(N ports/s)");
/** A report's host blocks, in a fixed order: a scan prints each host as it finishes (either
 * may come first), a merge in the file's order. */
const hostBlocks = (report: string) => withoutRate(report).trimEnd().split("\n\n").sort();

test("tp-scan merge prints the same text report as the scan it merges; -oN - stays nmap's", async () => {
  const base = join(dir, "same");
  const args = [HOSTS[0] as string, HOSTS[1] as string, "-p", `1-200,${port}`, "--show", "closed"];
  const scanned = await runExe("tp-scan", [...args, "-oA", base]);
  expect(scanned.code).toBe(0);
  expect(scanned.stdout).toContain(`${port}/tcp`);
  const merged = await runExe("tp-scan", ["merge", `${base}.jsonl`, "--show", "closed"]);
  expect(merged.code).toBe(0);
  expect(hostBlocks(merged.stdout)).toEqual(hostBlocks(scanned.stdout));
  // Two hosts, one report each, a blank line between them, as tp-scan prints them.
  expect(merged.stdout.match(/^tp-scan report for /gm)).toHaveLength(2);
  const nmapText = await runExe("tp-scan", ["merge", `${base}.jsonl`, "-oN", "-"]);
  expect(nmapText.stdout).toContain(`Nmap scan report for ${HOSTS[0]}`);
  expect(nmapText.stdout).not.toContain("tp-scan report for");
});

test("tp-scan merge refuses files of different scans: one line, exit 1", async () => {
  const a = join(dir, "a.jsonl");
  const b = join(dir, "b.jsonl");
  writeFileSync(a, (await runExe("tp-scan", ["127.0.0.1", "-p", "1-50", "--jsonl"])).stdout);
  writeFileSync(b, (await runExe("tp-scan", ["127.0.0.1", "-p", "1-60", "--jsonl"])).stdout);
  const r = await runExe("tp-scan", ["merge", a, b]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe(
    `tp-scan: error: ${b} is not from the scan of ${a}: different ports (1-50 vs 1-60)\n`,
  );
});

test("Ctrl-C, then --resume FILE: the file merges to every port of every host", async () => {
  const file = join(dir, "cut.jsonl");
  const args = [...HOSTS, "-p", "1-65535", "-c", "1"];
  // Paced (--rate is not part of the scan's identity) so that Ctrl-C comes mid-way.
  const proc = Bun.spawn([exePath("tp-scan"), ...args, "--rate", "40000", "--jsonl"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = new StreamReader(proc.stdout);
  await out.waitFor(/"type":"port"/, 30_000);
  proc.kill("SIGINT");
  expect(await proc.exited).toBe(130);
  await out.done;
  writeFileSync(file, out.text);
  const cut = out.text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(cut.at(-1)).toMatchObject({ type: "run", interrupted: true });
  // Cut short: some host has ports with no state yet (reported as such, not as closed).
  const cutHosts = cut.filter((l) => l.type === "host");
  const portsKnown = cutHosts.reduce((n, l) => n + l.counts.scanned, 0);
  expect(portsKnown).toBeLessThan(HOSTS.length * 65535);

  const resumed = await runExe("tp-scan", [...args, "--resume", file]);
  expect(resumed.code).toBe(0);
  const merged = await runExe("tp-scan", ["merge", file, "--json"]);
  expect(merged.code).toBe(0);
  const doc = JSON.parse(merged.stdout);
  expect(doc.targets.map((t: { address: string }) => t.address)).toEqual(HOSTS);
  for (const t of doc.targets) {
    expect(t.counts.scanned).toBe(65535);
    expect(t.interrupted).toBe(false);
    expect(t.ports.map((p: { port: number }) => p.port)).toContain(port);
  }
  // A resumption of a different scan is refused before anything is probed.
  const wrong = await runExe("tp-scan", ["127.0.0.1", "-p", "1-10", "--resume", file]);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/^tp-scan: error: cannot resume from .*: different targets/);
});
