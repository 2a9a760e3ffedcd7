// Start-up: how long a whole process takes for the smallest jobs, against nmap (the same one-port
// connect scan) and Bun itself (`bun -e ''`: the floor of any Bun program). Runs alternate, so a
// slow moment of the machine hits every row alike; the figure judged is the paired ratio to nmap.
// Exported for bench/run.ts's list of sections.
import { exePath } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { alternateRuns } from "./lib/alternate.ts";
import type { RunContext, Section } from "./lib/section.ts";
import { median, pairedRatioMedian } from "./lib/stats.ts";
import { fmtMs, fmtRatio, renderTable } from "./lib/table.ts";

interface Row {
  name: string;
  argv: string[];
  /** Wall time of each run, ms. */
  wallMs: number[];
  /** Paired ratio to nmap's one-port scan, when nmap ran. */
  vsNmap: number | null;
}

export interface StartupResults {
  runs: number;
  rows: Row[];
  note: string | null;
}

const NMAP = "nmap -sT -p 1 127.0.0.1";

function cases(): Array<{ name: string; argv: string[] }> {
  const scan = exePath("tp-scan");
  const all = [
    { name: "tp-scan 127.0.0.1 -p 1", argv: [scan, "127.0.0.1", "-p", "1"] },
    { name: "tp-scan --version", argv: [scan, "--version"] },
    { name: "tp-echo --version", argv: [exePath("tp-echo"), "--version"] },
    { name: NMAP, argv: ["nmap", "-sT", "-p", "1", "127.0.0.1"] },
    { name: "bun -e ''", argv: [process.execPath, "-e", ""] },
    { name: "bun --version", argv: [process.execPath, "--version"] },
  ];
  return all.filter((c) => c.argv[0] !== "nmap" || Bun.which("nmap") !== null);
}

async function run(ctx: RunContext): Promise<StartupResults> {
  const runs = ctx.runs ?? (ctx.quick ? 5 : 40);
  const specs = cases();
  const outcomes = await alternateRuns(specs, runs, async (spec) => {
    const r = await runCommand(spec.argv, { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`${spec.name} exited ${r.code}: ${r.stderr.trim()}`);
    return r.wallMs;
  });
  const nmap = specs.findIndex((s) => s.name === NMAP);
  const rows = specs.map((spec, i) => ({
    ...spec,
    wallMs: outcomes[i] ?? [],
    vsNmap: nmap < 0 ? null : pairedRatioMedian(outcomes[i] ?? [], outcomes[nmap] ?? []),
  }));
  for (const row of rows) ctx.log(`startup: ${row.name}: ${fmtMs(median(row.wallMs))}`);
  return { runs, rows, note: nmap < 0 ? "nmap is not installed: no ratio to nmap" : null };
}

function render(r: StartupResults): string {
  const table = renderTable(
    ["command", "median wall", "vs nmap (paired)"],
    r.rows.map((row) => [`\`${row.name}\``, fmtMs(median(row.wallMs)), fmtRatio(row.vsNmap)]),
    ["left", "right", "right"],
  );
  const notes = [`Whole processes, ${r.runs} runs each, in alternation.`];
  if (r.note) notes.push(r.note);
  return `${table}\n\n${notes.join(" ")}\n`;
}

export const startupSection: Section<StartupResults> = {
  name: "startup",
  title: "start-up: tp-scan vs nmap and Bun",
  run,
  targets: [
    {
      name: "one-port scan, whole process",
      wanted: "<= 1.50x nmap -sT -p 1",
      check(r) {
        const ratio = r.rows.find((row) => row.name === "tp-scan 127.0.0.1 -p 1")?.vsNmap ?? null;
        return ratio === null ? null : { measured: fmtRatio(ratio), pass: ratio <= 1.5 };
      },
    },
  ],
  render,
};

if (import.meta.main) {
  const results = await run({ quick: false, runs: null, lab: false, log: console.log });
  console.log(render(results));
}
