// `bun run bench`: every program against its peers, in one run, on this machine.
//   bun run bench            full run: writes bench/results/latest.{json,md}, scan.svg, README section
//   bun run bench --quick    under a minute, proves it works; writes bench/results/tmp/ (git-ignored,
//                            like any run of only some sections)
//   --only echo,guess,scan   pick sections    --runs N   runs per figure    --no-lab   skip lab cases
//   --render                 re-render latest.md, scan.svg and the README from latest.json, no run
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../scripts/lib/root.ts";
import { runEchoBench } from "./echo.ts";
import { runGuessBench } from "./guess.ts";
import { evaluateTargets, renderMarkdown, renderReadme, scanPanels } from "./lib/report.ts";
import { renderBarChart } from "./lib/svg.ts";
import { replaceBetweenMarkers } from "./lib/table.ts";
import type { BenchResults, Machine } from "./lib/types.ts";
import { versionOf } from "./proc.ts";
import { runScanBench } from "./scan.ts";

const SECTIONS = ["echo", "guess", "scan"] as const;
type Section = (typeof SECTIONS)[number];

const USAGE =
  "usage: bun run bench [--quick] [--only echo,guess,scan] [--runs N] [--no-lab] [--render]";

function parseFlags(): {
  quick: boolean;
  only: Set<Section>;
  runs: number | null;
  lab: boolean;
  render: boolean;
} {
  let values: {
    quick?: boolean;
    only?: string;
    runs?: string;
    "no-lab"?: boolean;
    render?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        quick: { type: "boolean" },
        only: { type: "string" },
        runs: { type: "string" },
        "no-lab": { type: "boolean" },
        render: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`bench: ${(error as Error).message.split("\n")[0]}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = new Set<Section>();
  for (const name of (values.only ?? SECTIONS.join(",")).split(",").map((s) => s.trim())) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      console.error(`bench: unknown section '${name}' (known: ${SECTIONS.join(", ")})\n${USAGE}`);
      process.exit(2);
    }
    only.add(name as Section);
  }
  let runs: number | null = null;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
      console.error(`bench: --runs expects an integer from 1 to 50, got '${values.runs}'`);
      process.exit(2);
    }
  }
  return {
    quick: values.quick === true,
    only,
    runs,
    lab: values["no-lab"] !== true,
    render: values.render === true,
  };
}

function machine(): Machine {
  const nmap = versionOf(["nmap", "--version"]);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: cpus().length,
    kernel: release(),
    bun: Bun.version,
    node: versionOf(["node", "--version"]),
    nmap: nmap ? nmap.replace(/ \(.*\)$/, "").trim() : null,
    loadAvg: loadavg(),
    root: process.getuid?.() === 0,
  };
}

function log(line: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** latest.{json,md}, scan.svg, and (full runs of every section) the README's bench section. */
function writeOutputs(results: BenchResults, outDir: string, updateReadme: boolean): string {
  mkdirSync(outDir, { recursive: true });
  const m = results.machine;
  const md = renderMarkdown(results);
  const svg = renderBarChart(scanPanels(results.scan), {
    title: "tp-scan vs nmap -sT: wall time (median of runs, shorter is better)",
    subtitle: `${m.cores} cores, Linux ${m.kernel}, Bun ${m.bun}, ${m.nmap ?? "no nmap"} · ${m.date}`,
  });
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, "latest.md"), md);
  writeFileSync(join(outDir, "scan.svg"), svg);
  if (updateReadme) {
    const readmePath = join(ROOT, "README.md");
    const readme = readFileSync(readmePath, "utf8");
    const section = renderReadme(results, "bench/results/scan.svg");
    writeFileSync(readmePath, replaceBetweenMarkers(readme, "bench", section));
    log("README bench section updated");
  }
  return md;
}

const flags = parseFlags();
if (flags.render) {
  const outDir = join(ROOT, "bench/results");
  const saved = JSON.parse(readFileSync(join(outDir, "latest.json"), "utf8")) as BenchResults;
  saved.targets = evaluateTargets(saved);
  const complete = saved.echo !== null && saved.guess !== null && saved.scan !== null;
  writeOutputs(saved, outDir, !saved.quick && complete);
  log(`re-rendered ${outDir.replace(`${ROOT}/`, "")}/ from latest.json`);
  process.exit(0);
}

const started = performance.now();
const m = machine();
log(
  `${flags.quick ? "quick" : "full"} run on ${m.cores} cores, Linux ${m.kernel}, Bun ${m.bun}, node ${m.node ?? "missing"}, ${m.nmap ?? "nmap missing"}`,
);

const runs = flags.runs ?? (flags.quick ? 1 : 5);
// Echo figures swing most with the other work on this machine: more runs, paired ours/peer.
const echoRuns = flags.runs ?? (flags.quick ? 1 : 7);
const results: BenchResults = {
  quick: flags.quick,
  machine: m,
  durationMs: 0,
  echo: null,
  guess: null,
  scan: null,
  targets: [],
};
let failed = false;

async function section<T>(name: Section, fn: () => Promise<T>): Promise<T | null> {
  if (!flags.only.has(name)) return null;
  const t0 = performance.now();
  try {
    const out = await fn();
    log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return out;
  } catch (error) {
    failed = true;
    log(`${name} FAILED: ${(error as Error).message}`);
    return null;
  }
}

results.echo = await section("echo", () =>
  runEchoBench({
    runs: echoRuns,
    warmupMs: flags.quick ? 100 : 500,
    windowMs: flags.quick ? 300 : 2000,
    cases: [
      { clients: 1, depth: 1 },
      { clients: 100, depth: 1 },
      { clients: 1000, depth: 1 },
      { clients: 100, depth: 16 },
    ],
    log,
  }),
);
results.guess = await section("guess", () => runGuessBench({ runs, quick: flags.quick, log }));
results.scan = await section("scan", () =>
  runScanBench({ runs, quick: flags.quick, lab: flags.lab, log }),
);
results.durationMs = performance.now() - started;
results.machine.loadAvgEnd = loadavg();
results.targets = evaluateTargets(results);

// Only a full run of every section speaks for the project (latest.*, README); others go to tmp/.
const complete = !flags.quick && flags.only.size === SECTIONS.length;
const outDir = join(ROOT, complete ? "bench/results" : "bench/results/tmp");
const md = writeOutputs(results, outDir, complete);
console.log(md);
log(
  `results in ${outDir.replace(`${ROOT}/`, "")}/ (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(failed ? 1 : 0);
