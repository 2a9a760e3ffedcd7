// `bun run bench`: every program against its peers, in one run, on this machine.
//   bun run bench            full run: writes bench/results/latest.{json,md} and the charts
//   bun run bench --quick    under a minute, proves it works; writes bench/results/tmp/ (git-ignored,
//                            like any run of only some sections)
//   --only echo,guess,scan   pick sections    --runs N   runs per figure    --no-lab   skip lab cases
//   --render                 re-render latest.md and the charts from latest.json, no run
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../scripts/lib/root.ts";
import { echoSection } from "./echo.ts";
import { guessSection } from "./guess.ts";
import { guessWebSection } from "./guess-web.ts";
import { renderMarkdown } from "./lib/report.ts";
import { evaluateTargets, type Section } from "./lib/section.ts";
import type { BenchResults, Machine } from "./lib/types.ts";
import { outputsSection } from "./outputs.ts";
import { portableSection } from "./portable.ts";
import { versionOf } from "./proc.ts";
import { scanSection } from "./scan.ts";
import { startupSection } from "./startup.ts";
import { synSection } from "./syn.ts";
import { wanSection } from "./wan.ts";

/** Every section, in the order they run and appear in latest.md: one line each. */
export const SECTIONS: readonly Section[] = [
  echoSection,
  guessSection,
  guessWebSection,
  scanSection,
  synSection,
  portableSection,
  outputsSection,
  startupSection,
  wanSection,
];

const NAMES = SECTIONS.map((s) => s.name);
const USAGE = `usage: bun run bench [--quick] [--only ${NAMES.join(",")}] [--runs N] [--no-lab] [--render]`;

interface Flags {
  quick: boolean;
  only: Set<string>;
  runs: number | null;
  lab: boolean;
  render: boolean;
}

function usageError(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseFlags(): Flags {
  let values: {
    quick?: boolean;
    only?: string;
    runs?: string;
    "no-lab"?: boolean;
    render?: boolean;
    help?: boolean;
  } = {};
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
    usageError((error as Error).message.split("\n")[0] ?? "bad arguments");
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = new Set<string>();
  for (const name of (values.only ?? NAMES.join(",")).split(",").map((s) => s.trim())) {
    if (!NAMES.includes(name)) usageError(`unknown section '${name}' (known: ${NAMES.join(", ")})`);
    only.add(name);
  }
  let runs: number | null = null;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50)
      usageError(`--runs expects an integer from 1 to 50, got '${values.runs}'`);
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

/** latest.{json,md} and each section's charts into `outDir`; returns the Markdown. */
function writeOutputs(results: BenchResults, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const md = renderMarkdown(results, SECTIONS);
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, "latest.md"), md);
  for (const section of SECTIONS) {
    const r = results.sections[section.name];
    if (r == null || !section.charts) continue;
    for (const chart of section.charts(r, results.machine))
      writeFileSync(join(outDir, chart.file), chart.svg);
  }
  return md;
}

/** Run the chosen sections; a section that throws is reported and fails the run. */
async function runSections(flags: Flags): Promise<{ results: BenchResults; failed: boolean }> {
  const started = performance.now();
  const m = machine();
  log(
    `${flags.quick ? "quick" : "full"} run on ${m.cores} cores, Linux ${m.kernel}, Bun ${m.bun}, node ${m.node ?? "missing"}, ${m.nmap ?? "nmap missing"}`,
  );
  const results: BenchResults = {
    quick: flags.quick,
    machine: m,
    durationMs: 0,
    sections: {},
    targets: [],
  };
  let failed = false;
  const ctx = { quick: flags.quick, runs: flags.runs, lab: flags.lab, log };
  for (const section of SECTIONS) {
    results.sections[section.name] = null;
    if (!flags.only.has(section.name)) continue;
    const t0 = performance.now();
    try {
      results.sections[section.name] = await section.run(ctx);
      log(`${section.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      failed = true;
      log(`${section.name} FAILED: ${(error as Error).message}`);
    }
  }
  results.durationMs = performance.now() - started;
  results.machine.loadAvgEnd = loadavg();
  results.targets = evaluateTargets(SECTIONS, results.sections);
  return { results, failed };
}

async function main(): Promise<number> {
  const flags = parseFlags();
  if (flags.render) {
    const outDir = join(ROOT, "bench/results");
    const saved = JSON.parse(readFileSync(join(outDir, "latest.json"), "utf8")) as BenchResults;
    saved.targets = evaluateTargets(SECTIONS, saved.sections);
    writeOutputs(saved, outDir);
    log(`re-rendered ${outDir.replace(`${ROOT}/`, "")}/ from latest.json`);
    return 0;
  }
  const { results, failed } = await runSections(flags);
  // Only a full run of every section speaks for the project (latest.*); others go to tmp/.
  const complete = !flags.quick && flags.only.size === SECTIONS.length;
  const outDir = join(ROOT, complete ? "bench/results" : "bench/results/tmp");
  console.log(writeOutputs(results, outDir));
  log(
    `results in ${outDir.replace(`${ROOT}/`, "")}/ (${(results.durationMs / 1000).toFixed(1)} s)`,
  );
  return failed ? 1 : 0;
}

if (import.meta.main) process.exit(await main());
