// Scan benchmark: tp-scan against `nmap -sT -T4` and `-T5` over the whole loopback range (exact
// result checked against `ss -ltn`), on the lab host (closed + filtered + open, and all filtered),
// and a concurrency x timeout sweep on the lab host.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { ssListening } from "../scripts/lib/ss.ts";
import { type BenchLab, openLab } from "./lab.ts";
import { alternateRuns } from "./lib/alternate.ts";
import { diffPorts, parseNmapGrepable } from "./lib/parse.ts";
import { renderScan, SCAN_TARGETS, scanCharts } from "./lib/scan-report.ts";
import type { Section } from "./lib/section.ts";
import { summarize } from "./lib/stats.ts";
import type { ScanCase, ScanResults, ScanTool, Sweep } from "./lib/types.ts";
import { runSweep, SHAPED_RATE, SWEEP_TITLE } from "./scan-sweep.ts";
import { ownListeners, ssWatcher, verifyLoopback } from "./scan-truth.ts";

export interface ScanOptions {
  runs: number;
  quick: boolean;
  /** Run the lab cases and the sweep (needs root, ip, iptables and scripts/lab.sh). */
  lab: boolean;
  log: (line: string) => void;
}

interface ToolSpec {
  name: string;
  ours: boolean;
  argv(host: string, ports: string): string[];
  /** Open ports from the tool's stdout. */
  parse(stdout: string): number[];
}

const NMAP_INSTALL = "nmap is not installed (`apt-get install -y nmap`): its runs were skipped.";

export function parseCommaList(stdout: string): number[] {
  const text = stdout.trim();
  if (text === "") return [];
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}

function tools(quick: boolean): { specs: ToolSpec[]; notes: string[] } {
  const notes: string[] = [];
  const specs: ToolSpec[] = [];
  const exe = join(ROOT, "tp-scan");
  if (existsSync(exe)) {
    specs.push({
      name: "tp-scan",
      ours: true,
      argv: (host, ports) => [exe, host, "-p", ports, "--list"],
      parse: parseCommaList,
    });
  } else notes.push("./tp-scan is not built (run `bun run build`): only the peers were measured.");
  if (Bun.which("nmap")) {
    // --quick keeps only -T5, the peer the targets are measured against.
    for (const t of quick ? ["T5"] : ["T4", "T5"]) {
      specs.push({
        name: `nmap -sT -${t}`,
        ours: false,
        argv: (host, ports) => [
          "nmap",
          "-sT",
          `-${t}`,
          "-n",
          "-Pn",
          "--open",
          "-p",
          ports,
          "-oG",
          "-",
          host,
        ],
        parse: parseNmapGrepable,
      });
    }
  } else notes.push(NMAP_INSTALL);
  return { specs, notes };
}

/** One run of one tool: stopped at its time limit, or finished (exit 0 or not) with a verdict. */
type ToolRun =
  | { timedOut: true }
  | { timedOut: false; wallMs: number | null; open: number; exact: boolean; detail: string | null };

/** Run a tool once (bounded) and judge what it found with `verify`. */
async function runTool(
  argv: string[],
  limitMs: number,
  spec: ToolSpec,
  verify: (found: number[]) => Promise<{ exact: boolean; detail: string | null }>,
): Promise<ToolRun> {
  const res = await runCommand(argv, { timeoutMs: limitMs });
  if (res.timedOut) return { timedOut: true };
  if (res.code !== 0)
    return {
      timedOut: false,
      wallMs: null,
      open: 0,
      exact: false,
      detail: `exit ${res.code}: ${res.stderr.trim().split("\n")[0]}`,
    };
  const found = spec.parse(res.stdout);
  return { timedOut: false, wallMs: res.wallMs, open: found.length, ...(await verify(found)) };
}

function logRun(opts: ScanOptions, what: string, spec: ToolSpec, r: number, run: ToolRun): void {
  const outcome = run.timedOut
    ? "stopped at the time limit"
    : run.wallMs === null
      ? (run.detail ?? "failed")
      : `${(run.wallMs / 1000).toFixed(2)} s, ${run.open} open, ${run.exact ? "exact" : `NOT exact (${run.detail})`}`;
  opts.log(`scan ${what} ${spec.name} run ${r + 1}: ${outcome}`);
}

/** A tool's figures over its runs. */
function summarizeTool(spec: ToolSpec, runs: ToolRun[], ports: number, limitMs: number): ScanTool {
  const done = runs.filter((r) => !r.timedOut);
  const wall = done.flatMap((r) => (r.wallMs === null ? [] : [r.wallMs]));
  return {
    name: spec.name,
    ours: spec.ours,
    wallMs: summarize(wall),
    portsPerSec: summarize(wall.map((w) => (ports * 1000) / w)),
    exact: done.length ? done.every((r) => r.exact) : null,
    runs: runs.length,
    timedOut: runs.length - done.length,
    limitMs,
    details: runs.flatMap((r, i) => (!r.timedOut && r.detail ? [`run ${i + 1}: ${r.detail}`] : [])),
  };
}

async function loopbackCase(opts: ScanOptions): Promise<ScanCase> {
  const { specs, notes } = tools(opts.quick);
  const ports = 65535;
  const limitMs = 120_000;
  const own = ownListeners(16);
  try {
    const outcomes = await alternateRuns(specs, opts.runs, async (spec, r) => {
      const before = ssListening("127.0.0.1");
      const watcher = ssWatcher("127.0.0.1", 100);
      const argv = spec.argv("127.0.0.1", "1-65535");
      const run = await runTool(argv, limitMs, spec, async (found) => {
        const seen = await watcher.stop();
        return verifyLoopback(found, before, ssListening("127.0.0.1"), seen);
      });
      await watcher.stop(); // already stopped unless the run failed
      logRun(opts, "loopback", spec, r, run);
      return run;
    });
    return {
      id: "loopback",
      title: "Full loopback range (1-65535 on 127.0.0.1)",
      ports,
      tools: specs.map((spec, i) => summarizeTool(spec, outcomes[i] ?? [], ports, limitMs)),
      notes,
    };
  } finally {
    own.stop();
  }
}

/** Scan lab ports with each tool and check against the lab's known layout. */
async function labCase(
  lab: BenchLab,
  id: "lab-mixed" | "lab-filtered",
  opts: ScanOptions,
): Promise<ScanCase> {
  const layout = id === "lab-mixed" ? lab.mixed : lab.filtered;
  const { specs, notes } = tools(opts.quick);
  const title =
    id === "lab-mixed"
      ? `Lab host: ${layout.closed} closed, ${layout.filtered} filtered, ${layout.open.length} open (${layout.ports} ports)`
      : `Lab host: all ${layout.ports} ports filtered`;
  // nmap -T4 on an all-filtered range takes minutes (202 s measured): bound it and say so.
  const limitMs = id === "lab-filtered" ? 30_000 : 60_000;
  // nmap on an all-filtered range is slow by design: one bounded run (none in --quick).
  const runsFor = (spec: ToolSpec) =>
    id === "lab-filtered" && !spec.ours ? (opts.quick ? 0 : 1) : opts.runs;
  const outcomes = await alternateRuns(specs, runsFor, async (spec, r) => {
    const argv = lab.lab.exec(spec.argv(lab.host, layout.range));
    const run = await runTool(argv, limitMs, spec, async (found) => {
      const { missed, extra } = diffPorts(found, layout.open);
      const exact = missed.length === 0 && extra.length === 0;
      const detail = `missed ${missed.join(",") || "none"}, false open ${extra.join(",") || "none"}`;
      return { exact, detail: exact ? null : detail };
    });
    logRun(opts, id, spec, r, run);
    return run;
  });
  if (id === "lab-filtered" && specs.some((s) => !s.ours))
    notes.push(
      `nmap runs once here, stopped at ${limitMs / 1000} s (the scan issue measured 202 s for -T4).`,
    );
  const results = specs.map((spec, i) =>
    summarizeTool(spec, outcomes[i] ?? [], layout.ports, limitMs),
  );
  return { id, title, ports: layout.ports, tools: results, notes };
}

export async function runScanBench(opts: ScanOptions): Promise<ScanResults> {
  const notes: string[] = [];
  const cases: ScanCase[] = [await loopbackCase(opts)];
  const sweeps: Sweep[] = [];
  if (!opts.lab) {
    sweeps.push({
      title: SWEEP_TITLE,
      points: [],
      notes: [],
      skipped: "lab cases not run (--no-lab)",
    });
    return { notes, cases, sweeps };
  }
  let lab: BenchLab;
  try {
    lab = await openLab();
  } catch (error) {
    const why = (error as Error).message;
    notes.push(`Lab host cases skipped: ${why}`);
    sweeps.push({ title: SWEEP_TITLE, points: [], notes: [], skipped: why });
    return { notes, cases, sweeps };
  }
  try {
    cases.push(await labCase(lab, "lab-mixed", opts));
    cases.push(await labCase(lab, "lab-filtered", opts));
    sweeps.push(await runSweep(lab, opts, null));
    if (!opts.quick) sweeps.push(await runSweep(lab, opts, SHAPED_RATE));
  } finally {
    await lab.lab.destroy();
  }
  return { notes, cases, sweeps };
}

export const scanSection: Section<ScanResults> = {
  name: "scan",
  title: "tp-scan vs nmap",
  targets: SCAN_TARGETS,
  render: renderScan,
  charts: scanCharts,
  run: (ctx) =>
    runScanBench({
      runs: ctx.runs ?? (ctx.quick ? 1 : 5),
      quick: ctx.quick,
      lab: ctx.lab,
      log: ctx.log,
    }),
};
