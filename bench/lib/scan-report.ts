// tp-scan against nmap: its targets (one table, which also draws the chart's target lines), its
// tables in latest.md and its chart. Pure.
import type { Chart, Target, Verdict } from "./section.ts";
import { ratio } from "./stats.ts";
import { type Panel, renderBarChart } from "./svg.ts";
import {
  fmtMs,
  fmtNumber,
  fmtPercent,
  fmtRange,
  fmtRatio,
  fmtSeconds,
  renderTable,
} from "./table.ts";
import type { Machine, ScanCase, ScanResults, ScanTool, Sweep } from "./types.ts";

/** The peer the targets are measured against. */
const PEER = "nmap -sT -T5";

/** A target of the scan issue: tp-scan's median wall time on one case, against the peer or a clock. */
interface ScanGoal {
  caseId: ScanCase["id"];
  name: string;
  /** At most this many times the peer's time, with every run exact... */
  vsPeer?: number;
  /** ...or under this many ms. */
  underMs?: number;
  /** What exactness means on this case. */
  exactMeans?: string;
}

const SCAN_GOALS: readonly ScanGoal[] = [
  { caseId: "loopback", name: "scan full loopback range", vsPeer: 0.7, exactMeans: "exact result" },
  { caseId: "lab-filtered", name: "scan lab, 2001 ports all filtered, defaults", underMs: 5000 },
  {
    caseId: "lab-mixed",
    name: "scan lab, closed + filtered + open",
    vsPeer: 0.5,
    exactMeans: "every open port found",
  },
];

function tool(scan: ScanResults, id: ScanCase["id"], name: string): ScanTool | undefined {
  return scan.cases.find((c) => c.id === id)?.tools.find((t) => t.name === name);
}

function checkGoal(goal: ScanGoal, scan: ScanResults): Verdict {
  const ours = tool(scan, goal.caseId, "tp-scan");
  const ms = ours?.wallMs.median;
  if (goal.underMs !== undefined) {
    if (ms == null || !Number.isFinite(ms)) return null;
    return { measured: fmtSeconds(ms), pass: ms < goal.underMs };
  }
  const peer = tool(scan, goal.caseId, PEER);
  const q = ratio(ms, peer?.wallMs.median);
  if (q === null) return null;
  const exact = ours?.exact === true;
  return {
    measured: `${fmtRatio(q)} (${fmtSeconds(ms)} vs ${fmtSeconds(peer?.wallMs.median)}), ${exact ? "exact" : "NOT exact"}`,
    pass: q <= (goal.vsPeer ?? 0) && exact,
  };
}

export const SCAN_TARGETS: readonly Target<ScanResults>[] = SCAN_GOALS.map((goal) => ({
  name: goal.name,
  wanted:
    goal.underMs !== undefined
      ? `< ${goal.underMs / 1000} s`
      : `<= ${(goal.vsPeer ?? 0).toFixed(2)}x ${PEER}, ${goal.exactMeans}`,
  check: (scan: ScanResults) => checkGoal(goal, scan),
}));

/** The target line of a case's chart panel, from the same goals. */
function targetLine(c: ScanCase): Panel["target"] {
  const goal = SCAN_GOALS.find((g) => g.caseId === c.id);
  if (!goal) return undefined;
  if (goal.underMs !== undefined)
    return { value: goal.underMs, label: `target ${goal.underMs / 1000} s` };
  const peer = c.tools.find((t) => t.name === PEER);
  if (!peer || peer.wallMs.n === 0) return undefined;
  return { value: peer.wallMs.median * (goal.vsPeer ?? 0), label: `target ${goal.vsPeer}x -T5` };
}

export function renderScanCase(c: ScanCase): string {
  if (c.skipped) return `**${c.title}**: _skipped: ${c.skipped}._`;
  const ours = c.tools.find((t) => t.ours);
  const rows = c.tools.map((t) => [
    t.name,
    t.timedOut > 0 && t.wallMs.n === 0
      ? `> ${t.limitMs ? fmtSeconds(t.limitMs) : "limit"} (stopped)`
      : fmtRange(t.wallMs, (x) => fmtSeconds(x)),
    fmtNumber(t.portsPerSec.median),
    t.ours || !ours ? "" : fmtRatio(ratio(ours.wallMs.median, t.wallMs.median)),
    t.exact === null ? "–" : t.exact ? "yes" : "**no**",
    String(t.runs),
  ]);
  const table = renderTable(
    ["Tool", "wall time median (min–max)", "ports/s", "tp-scan time / this", "exact", "runs"],
    rows,
    ["left", "right", "right", "right", "left", "right"],
  );
  const details = c.tools.flatMap((t) => t.details.map((d) => `- ${t.name}: ${d}`));
  return [`**${c.title}**`, "", table, ...c.notes.map((n) => `- ${n}`), ...details].join("\n");
}

export function renderSweep(sweep: Sweep): string {
  if (sweep.skipped) return `_Skipped: ${sweep.skipped}._`;
  if (sweep.points.length === 0) return "_Sweep: no points measured._";
  const cs = [...new Set(sweep.points.map((p) => p.concurrency))].sort((a, b) => a - b);
  const fixed = [
    ...new Set(sweep.points.map((p) => p.timeoutMs).filter((t): t is number => t !== null)),
  ].sort((a, b) => a - b);
  const ts: (number | null)[] = [
    ...fixed,
    ...(sweep.points.some((p) => p.timeoutMs === null) ? [null] : []),
  ];
  const cell = (c: number, t: number | null) => {
    const p = sweep.points.find((x) => x.concurrency === c && x.timeoutMs === t);
    if (!p) return "–";
    const settled =
      t === null && p.settledTimeoutMs !== null ? ` (settled ${fmtMs(p.settledTimeoutMs)})` : "";
    return `${fmtPercent(p.accuracy, 1)} · ${fmtSeconds(p.wallMs)}${settled}`;
  };
  const table = renderTable(
    ["-c \\ -t", ...ts.map((t) => (t === null ? "default (adaptive)" : `${t} ms`))],
    cs.map((c) => [String(c), ...ts.map((t) => cell(c, t))]),
    ["left", ...ts.map(() => "right" as const)],
  );
  const e = sweep.expected;
  const head = e
    ? `True layout: ${e.open} open, ${e.closed} closed, ${e.filtered} filtered. Each cell: share of ports given their true state · wall time.`
    : "";
  return [head, "", table, ...sweep.notes.map((n) => `- ${n}`)].join("\n");
}

export function renderScan(scan: ScanResults): string {
  if (scan.skipped) return `_Skipped: ${scan.skipped}._`;
  return [
    ...scan.cases.map(renderScanCase),
    ...scan.notes.map((n) => `- ${n}`),
    ...scan.sweeps.flatMap((sw) => ["", `**${sw.title}**`, "", renderSweep(sw)]),
  ]
    .join("\n\n")
    .replace(/\n{3,}/g, "\n\n");
}

/** Panels of the scan chart: one per case, tp-scan and the nmap peers. */
export function scanPanels(scan: ScanResults): Panel[] {
  return scan.cases
    .filter((c) => !c.skipped)
    .map((c) => {
      const panel: Panel = {
        title: c.title,
        bars: c.tools.map((t) => ({
          label: t.name,
          // A tool stopped at the time limit is drawn up to the limit: it took at least that.
          value: t.wallMs.n > 0 ? t.wallMs.median : t.timedOut > 0 && t.limitMs ? t.limitMs : null,
          ours: t.ours,
          atLeast: t.wallMs.n === 0 && t.timedOut > 0,
          note:
            t.wallMs.n === 0 && t.timedOut > 0
              ? "stopped, unfinished"
              : t.exact === false
                ? "NOT exact"
                : t.exact
                  ? "exact"
                  : undefined,
        })),
      };
      const line = targetLine(c);
      if (line) panel.target = line;
      return panel;
    });
}

export function scanCharts(scan: ScanResults, m: Machine): Chart[] {
  const svg = renderBarChart(scanPanels(scan), {
    title: "tp-scan vs nmap -sT: wall time (median of runs, shorter is better)",
    subtitle: `${m.cores} cores, Linux ${m.kernel}, Bun ${m.bun}, ${m.nmap ?? "no nmap"} · ${m.date}`,
  });
  return [{ file: "scan.svg", svg }];
}
