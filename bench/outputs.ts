// What the machine-readable outputs cost: tp-scan over the whole loopback range (65535 ports)
// with its plain text report, with --jsonl, and with -oX to a file, run in turn (who goes first
// alternates), as wall-time ratios against the plain run of the same pass. Two cases: the
// default report (a few open ports; the cost is the formats' fixed part) and --show closed
// (every port is a line or an element: the formatters' cost per port).
// Exported as a section for bench/run.ts's list: { name, title, run, targets, render }.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { pairedRatioMedian, type Summary, summarize } from "./lib/stats.ts";

export interface OutputsRunOptions {
  quick: boolean;
  runs: number | null;
  log: (line: string) => void;
}

type Mode = "text" | "jsonl" | "xml";
const MODES: Mode[] = ["text", "jsonl", "xml"];

export interface OutputsCase {
  name: string;
  /** Wall time of each mode, ms. */
  wallMs: Record<Mode, Summary>;
  /** Median over passes of (mode / text) in the same pass. */
  ratio: { jsonl: number | null; xml: number | null };
  /** Bytes each mode wrote, last run. */
  bytes: Record<Mode, number>;
}

export interface OutputsResults {
  skipped?: string;
  cases: OutputsCase[];
}

function argv(mode: Mode, extra: string[], dir: string): string[] {
  const base = [join(ROOT, "tp-scan"), "127.0.0.1", "-p-", ...extra];
  if (mode === "jsonl") return [...base, "--jsonl"];
  if (mode === "xml") return [...base, "-oX", join(dir, "scan.xml")];
  return base;
}

async function measureCase(
  name: string,
  extra: string[],
  runs: number,
  dir: string,
): Promise<OutputsCase> {
  const walls: Record<Mode, number[]> = { text: [], jsonl: [], xml: [] };
  const bytes: Record<Mode, number> = { text: 0, jsonl: 0, xml: 0 };
  for (let pass = 0; pass < runs; pass++) {
    const order = pass % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) {
      const r = await runCommand(argv(mode, extra, dir), { timeoutMs: 60_000 });
      if (r.code !== 0)
        throw new Error(`tp-scan ${mode} ${extra.join(" ")}: exit ${r.code}: ${r.stderr.trim()}`);
      walls[mode].push(r.wallMs);
      bytes[mode] = mode === "xml" ? Bun.file(join(dir, "scan.xml")).size : r.stdout.length;
    }
  }
  return {
    name,
    wallMs: {
      text: summarize(walls.text),
      jsonl: summarize(walls.jsonl),
      xml: summarize(walls.xml),
    },
    ratio: {
      jsonl: pairedRatioMedian(walls.jsonl, walls.text),
      xml: pairedRatioMedian(walls.xml, walls.text),
    },
    bytes,
  };
}

export async function runOutputsBench(opts: OutputsRunOptions): Promise<OutputsResults> {
  if (!(await Bun.file(join(ROOT, "tp-scan")).exists()))
    return { skipped: "./tp-scan is not built (bun run build)", cases: [] };
  const runs = opts.runs ?? (opts.quick ? 1 : 5);
  const dir = mkdtempSync(join(tmpdir(), `tp-bench-outputs-${process.pid}-`));
  try {
    const cases: OutputsCase[] = [];
    for (const [name, extra] of [
      ["open ports only", []],
      ["every port (--show closed)", ["--show", "closed"]],
    ] as Array<[string, string[]]>) {
      opts.log(`outputs: ${name}, ${runs} run(s) of each mode`);
      cases.push(await measureCase(name, extra, runs, dir));
    }
    return { cases };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (r: number | null) => (r === null ? "n/a" : `${r.toFixed(2)}x`);

export function renderOutputs(results: OutputsResults): string {
  if (results.skipped) return `Skipped: ${results.skipped}\n`;
  const rows = results.cases.map(
    (c) =>
      `| ${c.name} | ${c.wallMs.text.median.toFixed(0)} ms | ${c.wallMs.jsonl.median.toFixed(0)} ms (${fmt(c.ratio.jsonl)}) | ${c.wallMs.xml.median.toFixed(0)} ms (${fmt(c.ratio.xml)}) | ${c.bytes.jsonl} / ${c.bytes.xml} B |`,
  );
  return [
    "tp-scan 127.0.0.1 -p- (65535 ports), median wall time; ratio = median of (mode / plain text) over passes.",
    "",
    "| report | plain text | --jsonl | -oX FILE | jsonl / xml size |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

/** The section, in the shape bench/run.ts's list of sections takes. */
export const outputsSection = {
  name: "outputs",
  title: "tp-scan output formats vs plain text",
  run: (ctx: OutputsRunOptions) => runOutputsBench(ctx),
  targets: [
    {
      name: "--jsonl on the full loopback range",
      wanted: "<= 1.10x plain text",
      check: (r: OutputsResults) => {
        const x = r.cases[0]?.ratio.jsonl ?? null;
        return x === null ? null : { measured: fmt(x), pass: x <= 1.1 };
      },
    },
    {
      name: "-oX on the full loopback range",
      wanted: "<= 1.10x plain text",
      check: (r: OutputsResults) => {
        const x = r.cases[0]?.ratio.xml ?? null;
        return x === null ? null : { measured: fmt(x), pass: x <= 1.1 };
      },
    },
  ],
  render: renderOutputs,
};

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  const results = await runOutputsBench({ quick, runs: null, log: (l) => console.error(l) });
  console.log(renderOutputs(results));
}
