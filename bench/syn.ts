// SYN scan: the full loopback range with tp-scan -sS against tp-scan -sT and nmap -sS -T5, in
// alternation, inside a lab namespace of its own (scripts/lab.sh: nothing else of the machine
// on its loopback, so ss -ltn there is the truth and every run's open ports are checked against
// it). The figures judged are paired ratios of whole-process wall times. Needs root (raw
// sockets, namespaces): skipped with a note elsewhere or with --no-lab.
import { Lab, labUnavailable } from "../scripts/lib/lab.ts";
import { exePath } from "../scripts/lib/root.ts";
import { alternateRuns } from "./lib/alternate.ts";
import type { RunContext, Section } from "./lib/section.ts";
import { median, pairedRatioMedian } from "./lib/stats.ts";
import { fmtMs, fmtRatio, renderTable } from "./lib/table.ts";

interface Row {
  name: string;
  wallMs: number[];
}

export interface SynResults {
  runs: number;
  rows: Row[];
  /** Paired ratios of -sS to -sT and to nmap -sS -T5 (null: not measured). */
  vsConnect: number | null;
  vsNmap: number | null;
  note: string | null;
}

const SYN = "tp-scan -sS 127.0.0.1 (1-65535)";
const CONNECT = "tp-scan -sT 127.0.0.1 (1-65535)";
const NMAP = "nmap -sS -T5 -p- -n 127.0.0.1";
const LISTENED = [22, 80, 443, 8080, 33000, 61000, 65535];

function cases(): Array<{ name: string; argv: string[]; list: (out: string) => number[] }> {
  const scan = exePath("tp-scan");
  const commaList = (out: string) => out.trim().split(",").filter(Boolean).map(Number);
  const nmapOpen = (out: string) =>
    [...out.matchAll(/(\d+)\/open\/tcp/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const all = [
    { name: SYN, argv: [scan, "-sS", "127.0.0.1", "--list"], list: commaList },
    { name: CONNECT, argv: [scan, "-sT", "127.0.0.1", "--list"], list: commaList },
    {
      name: NMAP,
      argv: ["nmap", "-sS", "-T5", "-p-", "-n", "-oG", "-", "127.0.0.1"],
      list: nmapOpen,
    },
  ];
  return all.filter((c) => c.argv[0] !== "nmap" || Bun.which("nmap") !== null);
}

async function run(ctx: RunContext): Promise<SynResults> {
  const runs = ctx.runs ?? (ctx.quick ? 1 : 7);
  const why = ctx.lab ? labUnavailable() : "--no-lab";
  if (why) return { runs, rows: [], vsConnect: null, vsNmap: null, note: `not run: ${why}` };
  const lab = await Lab.create({ tag: "syn-bench" });
  try {
    await lab.listen(LISTENED);
    const specs = cases();
    const outcomes = await alternateRuns(specs, runs, async (spec) => {
      const r = await lab.run(spec.argv, 60_000);
      if (r.code !== 0) throw new Error(`${spec.name} exited ${r.code}: ${r.stderr.trim()}`);
      const open = spec.list(r.stdout).join(",");
      if (open !== LISTENED.join(",")) throw new Error(`${spec.name} found ${open}`);
      return r.wallMs;
    });
    const rows = specs.map((spec, i) => ({ name: spec.name, wallMs: outcomes[i] ?? [] }));
    const of = (name: string) => rows.find((r) => r.name === name)?.wallMs ?? [];
    for (const row of rows) ctx.log(`syn: ${row.name}: ${fmtMs(median(row.wallMs))}`);
    return {
      runs,
      rows,
      vsConnect: pairedRatioMedian(of(SYN), of(CONNECT)),
      vsNmap: pairedRatioMedian(of(SYN), of(NMAP)),
      note: specs.length < 3 ? "nmap is not installed: no ratio to nmap -sS" : null,
    };
  } finally {
    await lab.destroy();
  }
}

function render(r: SynResults): string {
  const table = renderTable(
    ["command", "median wall", "min"],
    r.rows.map((row) => [
      `\`${row.name}\``,
      fmtMs(median(row.wallMs)),
      fmtMs(Math.min(...row.wallMs)),
    ]),
    ["left", "right", "right"],
  );
  const notes = [
    `Whole processes in a lab namespace, ${r.runs} runs each, in alternation; open ports checked.`,
    `-sS / -sT ${fmtRatio(r.vsConnect)}, -sS / nmap -sS -T5 ${fmtRatio(r.vsNmap)} (paired).`,
  ];
  if (r.note) notes.push(r.note);
  return `${table}\n\n${notes.join(" ")}\n`;
}

const ratioTarget = (name: string, wanted: number, pick: (r: SynResults) => number | null) => ({
  name,
  wanted: `<= ${wanted.toFixed(2)}x`,
  check(r: SynResults) {
    const ratio = pick(r);
    return ratio === null ? null : { measured: fmtRatio(ratio), pass: ratio <= wanted };
  },
});

export const synSection: Section<SynResults> = {
  name: "syn",
  title: "tp-scan -sS vs -sT and nmap -sS",
  run,
  targets: [
    ratioTarget("full loopback range -sS vs tp-scan -sT", 0.5, (r) => r.vsConnect),
    ratioTarget("full loopback range -sS vs nmap -sS -T5", 0.3, (r) => r.vsNmap),
  ],
  render,
};

if (import.meta.main) {
  const runs = Number(process.argv[2] ?? 5);
  const results = await run({ quick: false, runs, lab: true, log: console.error });
  console.log(render(results));
}
