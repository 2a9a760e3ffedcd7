// The library API from source: the events are the CLI's --jsonl lines, options are the flags
// (the CLI's checks, its error classes), abort and break stop the probes, two scans at once
// keep apart. The same through the packed tarball: package.test.ts.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type JsonlLine,
  RuntimeError,
  scan,
  scanAll,
  UsageError,
} from "../../src/scan/api/index.ts";
import { runExe } from "../helpers/exe.ts";
import { knownPorts } from "../helpers/loopback-ports.ts";
import { comparable, parseJsonl } from "./events.ts";

const work = mkdtempSync(join(tmpdir(), "tp-library3-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function collect(events: AsyncIterable<JsonlLine>): Promise<JsonlLine[]> {
  const lines: JsonlLine[] = [];
  for await (const line of events) lines.push(line);
  return lines;
}

test("scan() yields the lines ./tp-scan --jsonl prints for the same scan", async () => {
  const ports = await knownPorts(3, 3);
  try {
    const flags = { ports: ports.spec, seed: 7, show: "closed" };
    const api = await collect(scan({ targets: ["127.0.0.1"], ...flags }));
    const cli = await runExe("tp-scan", [
      "127.0.0.1",
      ...["-p", ports.spec, "--seed", "7", "--show", "closed", "--jsonl"],
    ]);
    expect(cli.code).toBe(0);
    expect(comparable(api)).toEqual(comparable(parseJsonl(cli.stdout)));
    const host = api.find((l) => l.type === "host");
    expect(host?.type === "host" && host.open).toBe(ports.open.join(","));
    expect(api.at(0)?.type).toBe("scan");
    expect(api.at(-1)).toMatchObject({ type: "run", interrupted: false });
  } finally {
    ports.stop();
  }
});

test("options are checked as the flags are: UsageError, thrown, never an exit", async () => {
  await expect(collect(scan({ targets: "127.0.0.1", ports: "99999" }))).rejects.toThrow(
    new UsageError("-p: port 99999 is out of range (1-65535)"),
  );
  const misspelt = { targets: "127.0.0.1", concurency: 10 } as never;
  await expect(scanAll(misspelt)).rejects.toBeInstanceOf(UsageError);
  await expect(scanAll({ targets: [] })).rejects.toBeInstanceOf(UsageError);
  await expect(scanAll({ targets: "127.0.0.1", synScan: true, connectScan: true })).rejects.toThrow(
    new UsageError("-sS and -sT cannot be combined"),
  );
  // A runtime failure (the history file cannot be created) is the CLI's RuntimeError.
  const db = join(work, "missing-dir", "h.db");
  await expect(scanAll({ targets: "127.0.0.1", ports: 1, db })).rejects.toBeInstanceOf(
    RuntimeError,
  );
});

test("signal.abort() ends the iterator with the partial run line", async () => {
  const controller = new AbortController();
  const lines: JsonlLine[] = [];
  // Every port of a silent-free host: far more work than one probe turn.
  for await (const line of scan({ targets: "127.0.0.1", signal: controller.signal })) {
    lines.push(line);
    if (line.type === "scan") controller.abort();
  }
  const run = lines.at(-1);
  expect(run?.type).toBe("run");
  if (run?.type !== "run") return;
  expect(run.interrupted).toBe(true);
  expect(run.counts.scanned).toBeLessThan(65535);
  const host = lines.find((l) => l.type === "host");
  expect(host).toMatchObject({ type: "host", interrupted: true });
});

test("breaking out of the loop stops the probes before they reach the last ports", async () => {
  const ports = await knownPorts(1, 0);
  let accepted = 0;
  const counter = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { open: () => void accepted++, data() {} },
  });
  try {
    // Ascending order: the counter's port (ephemeral, high) comes after thousands of others.
    const high = Math.max(counter.port, ports.open[0] as number);
    const events = scan({ targets: "127.0.0.1", ports: `1-${high}`, ordered: true });
    for await (const line of events) if (line.type === "scan") break;
    // The loop's end waited for the engine: no probe can come after it.
    expect(accepted).toBe(0);
  } finally {
    counter.stop(true);
    ports.stop();
  }
});

test("two scans at once in one process each report only their own ports", async () => {
  const [a, b] = await Promise.all([knownPorts(2, 300), knownPorts(3, 300)]);
  try {
    const scanA = scan({ targets: "127.0.0.1", ports: a.spec, seed: 1 });
    const scanB = scan({ targets: "127.0.0.1", ports: b.spec, seed: 2, concurrency: 3 });
    // Both started (each yielded its scan line) before either is read further.
    const firsts = [(await scanA.next()).value, (await scanB.next()).value];
    expect(firsts.map((l) => l?.type)).toEqual(["scan", "scan"]);
    const [linesA, linesB] = await Promise.all([collect(scanA), collect(scanB)]);
    const open = (lines: JsonlLine[]) =>
      lines.flatMap((l) => (l.type === "port" ? [l.port] : [])).sort((x, y) => x - y);
    expect(open(linesA)).toEqual(a.open);
    expect(open(linesB)).toEqual(b.open);
    expect(linesA.at(-1)).toMatchObject({ type: "run", counts: { scanned: 302, open: 2 } });
    expect(linesB.at(-1)).toMatchObject({ type: "run", counts: { scanned: 303, open: 3 } });
    expect(linesB.at(-1)).toMatchObject({ settings: { seed: 2, concurrency: 3 } });
  } finally {
    a.stop();
    b.stop();
  }
});

test("scanAll() returns the document ./tp-scan --json prints", async () => {
  const ports = await knownPorts(2, 2);
  try {
    const doc = await scanAll({ targets: "127.0.0.1", ports: ports.spec, seed: 3 });
    const cli = await runExe("tp-scan", ["127.0.0.1", "-p", ports.spec, "--seed", "3", "--json"]);
    const printed = JSON.parse(cli.stdout);
    expect(Object.keys(doc ?? {})).toEqual(Object.keys(printed));
    expect(doc?.settings).toEqual(printed.settings);
    expect(doc?.targets.map((t) => t.ports)).toEqual(
      printed.targets.map((t: { ports: unknown }) => t.ports),
    );
    expect(doc?.targets[0]?.ports.map((p) => p.port)).toEqual(ports.open);
  } finally {
    ports.stop();
  }
});
