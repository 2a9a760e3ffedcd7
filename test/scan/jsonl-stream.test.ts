// --jsonl writes each reported port once, before its host's line (issue 19 item 1): the late
// open-port event of another thread is driven directly, and the real stream is run enough
// times to catch the race on a many-threaded scan.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openOutputs } from "../../src/scan/output/sinks.ts";
import { runExe } from "../helpers/exe.ts";
import { type KnownPorts, knownPorts } from "../helpers/loopback-ports.ts";
import { makeHost, range } from "./output-fixtures.ts";

setDefaultTimeout(120_000);

let dir = "";
let ports: KnownPorts;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), `tp-scan-jsonl-${process.pid}-`));
  ports = await knownPorts(12, 0);
});
afterAll(() => {
  ports.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Line {
  type: string;
  hostIndex?: number;
  port?: number;
}

/** Each port line once, and each before its host's line. */
function checkStream(lines: Line[]): void {
  const seen = new Set<string>();
  const hostsDone = new Set<number>();
  for (const l of lines) {
    if (l.type === "host") hostsDone.add(l.hostIndex as number);
    if (l.type !== "port") continue;
    const key = `${l.hostIndex}:${l.port}`;
    expect({ duplicate: key, seen: seen.has(key) }).toEqual({ duplicate: key, seen: false });
    expect({ after: key, done: hostsDone.has(l.hostIndex as number) }).toEqual({
      after: key,
      done: false,
    });
    seen.add(key);
  }
}

const summary = {
  command: ["tp-scan"],
  startedAt: new Date(),
  elapsedMs: 1,
  interrupted: false,
  settings: {},
};

test("a port's open event that comes after its host's line is not written again", () => {
  const path = join(dir, "late.jsonl");
  const plan = range(1, 100);
  const host = makeHost(plan, { open: [22, 80] });
  const outputs = openOutputs([{ format: "jsonl", path }], {
    identity: {
      targetSpecs: ["127.0.0.1"],
      excludeSpecs: [],
      portSpec: "1-100",
      excludePortSpec: "",
      seed: 1,
      shard: null,
    },
    ports: plan,
    services: new Map(),
    show: [],
    banners: false,
  });
  outputs.begin(summary);
  outputs.open(host.target, 0, 22); // this thread's event, before the host is done
  outputs.host(host); // the host is final: 80 goes with its line
  outputs.open(host.target, 0, 80); // another thread's batch, late
  outputs.end(summary);
  const lines = readFileSync(path, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Line);
  expect(lines.map((l) => `${l.type}${l.port ?? ""}`)).toEqual([
    "scan",
    "port22",
    "port80",
    "host",
    "run",
  ]);
  checkStream(lines);
});

test("./tp-scan --jsonl over several hosts and threads: every port once, before its host", async () => {
  // On main 2-4 runs of 6-8 showed duplicates; 8 runs of 4 hosts x 12 open ports.
  const spec = `1-2000,${ports.open.join(",")}`;
  for (let run = 0; run < 8; run++) {
    const r = await runExe("tp-scan", ["127.0.0.1-4", "-p", spec, "--jsonl", "-c", "2000"]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    checkStream(lines);
    const host0 = lines.filter((l) => l.type === "port" && l.hostIndex === 0).map((l) => l.port);
    for (const p of ports.open) expect(host0).toContain(p);
  }
});
