// Shards (docs/scale.md): three parts run side by side with GNU parallel (local job slots,
// the docs' own script) merge to exactly the unsharded result, with no port probed twice.
// Needs GNU parallel (skips with the reason otherwise); fails if --shard is gone.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exePath, ROOT } from "../../scripts/lib/root.ts";
import { runCommand as runArgv } from "../../scripts/lib/run.ts";
import { runExe } from "../helpers/exe.ts";
import { type KnownPorts, knownPorts } from "../helpers/loopback-ports.ts";

setDefaultTimeout(60_000);

const help = Bun.spawnSync([exePath("tp-scan"), "--help"]).stdout.toString();
// Only the missing tool skips: a tp-scan without --shard fails (the test below says so).
const why = !Bun.which("parallel")
  ? "GNU parallel is not installed (apt-get install parallel)"
  : null;
if (why) console.warn(`scale.test.ts skipped: ${why}`);

let ports: KnownPorts;
let dir = "";
beforeAll(async () => {
  ports = await knownPorts(3, 0);
  dir = mkdtempSync(join(tmpdir(), `tp-scale-${process.pid}-`));
});
afterAll(() => {
  ports.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Line = Record<string, unknown> & { type: string; hostIndex: number };
const lines = (text: string): Line[] =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
const hostStates = (all: Line[]) =>
  all
    .filter((l) => l.type === "host")
    .map(({ hostIndex, open, closed, filtered }) => ({ hostIndex, open, closed, filtered }))
    .sort((a, b) => a.hostIndex - b.hostIndex);

test("tp-scan --help offers --shard (the feature the shard test below covers)", () => {
  expect(help).toContain("--shard");
});

test.skipIf(why !== null)(
  "three shards side by side merge to exactly the unsharded scan",
  async () => {
    const portSpec = `1-3000,${ports.open.join(",")}`;
    const args = ["127.0.0.1", "127.0.0.2", "-p", portSpec];
    const sharded = await runArgv([join(ROOT, "docs/scale/shards.sh"), "3", dir, ...args], {
      env: { TP_SCAN: exePath("tp-scan"), SEED: "4242" },
    });
    expect(sharded.stderr).toBe("");
    expect(sharded.code).toBe(0);
    const whole = await runExe("tp-scan", [...args, "--seed", "4242", "--jsonl"]);
    expect(whole.code).toBe(0);
    const merged = lines(readFileSync(join(dir, "all.jsonl"), "utf8"));
    expect(hostStates(merged)).toEqual(hostStates(lines(whole.stdout)));
    // No port probed twice: the parts' scanned counts add up to the ports of each host, exactly.
    const total = (hostIndex: number) =>
      [1, 2, 3]
        .flatMap((i) => lines(readFileSync(join(dir, `part-${i}.jsonl`), "utf8")))
        .filter((l) => l.type === "host" && l.hostIndex === hostIndex)
        .reduce((n, l) => n + (l.counts as { scanned: number }).scanned, 0);
    const portCount = 3000 + ports.open.filter((p) => p > 3000).length;
    expect([total(0), total(1)]).toEqual([portCount, portCount]);
  },
);
