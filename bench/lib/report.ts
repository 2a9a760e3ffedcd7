// Pure rendering of the results: target checks, the Markdown report (latest.md), the README
// section and the scan chart's panels.

import type { Summary } from "./stats.ts";
import { pairedRatioMedian, ratio } from "./stats.ts";
import type { Panel } from "./svg.ts";
import {
  fmtKbAsMb,
  fmtMs,
  fmtNumber,
  fmtPercent,
  fmtRatio,
  fmtSeconds,
  renderTable,
} from "./table.ts";
import type {
  BenchResults,
  EchoCaseSummary,
  EchoResults,
  GuessResults,
  ScanCase,
  ScanResults,
  ScanTool,
  Sweep,
  TargetCheck,
} from "./types.ts";

const MB150_KB = 150 * 1024;

/** " (run by run 1.31x)" when runs can be paired: the median of per-run ratios, noise-resistant. */
function pairedNote(ours: EchoCaseSummary, peer: EchoCaseSummary): string {
  if (ours.runs.length < 2 || ours.runs.length !== peer.runs.length) return "";
  const paired = pairedRatioMedian(
    ours.runs.map((r) => r.messagesPerSec),
    peer.runs.map((r) => r.messagesPerSec),
  );
  return paired === null ? "" : ` (run by run ${fmtRatio(paired)})`;
}

function echoCase(
  echo: EchoResults | null,
  server: string,
  clients: number,
  depth = 1,
): EchoCaseSummary | undefined {
  return echo?.cases.find((c) => c.server === server && c.clients === clients && c.depth === depth);
}

function tool(scan: ScanResults | null, id: ScanCase["id"], name: string): ScanTool | undefined {
  return scan?.cases.find((c) => c.id === id)?.tools.find((t) => t.name === name);
}

function timeRatio(ours: ScanTool | undefined, peer: ScanTool | undefined): number | null {
  return ratio(ours?.wallMs.median, peer?.wallMs.median);
}

/** Pass/fail against the targets of the issues (reported, never asserted in tests). */
export function evaluateTargets(r: Pick<BenchResults, "echo" | "scan">): TargetCheck[] {
  const out: TargetCheck[] = [];
  const ours100 = echoCase(r.echo, "tp-echo", 100);
  const node100 = echoCase(r.echo, "node:net", 100);
  const echoRatio = ratio(ours100?.messagesPerSec.median, node100?.messagesPerSec.median);
  out.push({
    name: "echo messages/s at 100 clients vs node:net",
    target: ">= 1.50x",
    measured:
      echoRatio === null
        ? "not measured"
        : `${fmtRatio(echoRatio)}${ours100 && node100 ? pairedNote(ours100, node100) : ""} (${fmtNumber(ours100?.messagesPerSec.median)} vs ${fmtNumber(node100?.messagesPerSec.median)} msg/s; server CPU per message ${fmtNumber(ours100?.serverUsPerMessage.median, 1)} vs ${fmtNumber(node100?.serverUsPerMessage.median, 1)} µs)`,
    pass: echoRatio === null ? null : echoRatio >= 1.5,
  });
  const ours1000 = echoCase(r.echo, "tp-echo", 1000);
  const rss = ours1000 ? Math.max(ours1000.rssConnectedKb.max, ours1000.rssPeakKb.max) : null;
  const rssOk = rss !== null && Number.isFinite(rss);
  out.push({
    name: "tp-echo RSS with 1000 clients connected (worst run)",
    target: "< 150 MB",
    measured: rssOk ? fmtKbAsMb(rss) : "not measured",
    pass: rssOk ? (rss as number) < MB150_KB : null,
  });
  const scanCheck = (id: ScanCase["id"], name: string, limit: number, what: string) => {
    const ours = tool(r.scan, id, "tp-scan");
    const t5 = tool(r.scan, id, "nmap -sT -T5");
    const q = timeRatio(ours, t5);
    const exact = ours?.exact;
    out.push({
      name,
      target: `<= ${limit.toFixed(2)}x nmap -sT -T5, ${what}`,
      measured:
        q === null
          ? "not measured"
          : `${fmtRatio(q)} (${fmtSeconds(ours?.wallMs.median)} vs ${fmtSeconds(t5?.wallMs.median)}), ${exact ? "exact" : "NOT exact"}`,
      pass: q === null ? null : q <= limit && exact === true,
    });
  };
  scanCheck("loopback", "scan full loopback range", 0.7, "exact result");
  const filtered = tool(r.scan, "lab-filtered", "tp-scan");
  const fMs = filtered?.wallMs.median;
  out.push({
    name: "scan lab, 2001 ports all filtered, defaults",
    target: "< 5 s",
    measured: fMs != null && Number.isFinite(fMs) ? fmtSeconds(fMs) : "not measured",
    pass: fMs != null && Number.isFinite(fMs) ? fMs < 5000 : null,
  });
  scanCheck("lab-mixed", "scan lab, closed + filtered + open", 0.5, "every open port found");
  return out;
}

function range(s: Summary, f: (x: number) => string): string {
  if (s.n === 0) return "–";
  if (s.n === 1) return f(s.median);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export function renderMachine(r: BenchResults): string {
  const m = r.machine;
  return [
    `Run ${m.date}${r.quick ? " (**--quick**: one short run per figure, proves the bench works, judges nothing)" : ""}, ${fmtSeconds(r.durationMs)} in all.`,
    `Machine: ${m.cores} cores (${m.cpuModel}), Linux ${m.kernel}, Bun ${m.bun}, ${m.node ? `Node.js ${m.node}` : "no Node.js"}, ${m.nmap ?? "no nmap"}; load average ${m.loadAvg.map((x) => x.toFixed(2)).join(" ")} at start${m.loadAvgEnd ? `, ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(" ")} at the end` : ""} (other work on this shared machine adds noise: compare the min–max spreads).`,
  ].join("\n");
}

export function renderTargets(targets: TargetCheck[]): string {
  return renderTable(
    ["Target", "Wanted", "Measured", "Result"],
    targets.map((t) => [
      t.name,
      t.target,
      t.measured,
      t.pass === null ? "not measured" : t.pass ? "pass" : "**FAIL**",
    ]),
  );
}

export function renderEcho(echo: EchoResults | null): string {
  if (!echo) return "_Not run._";
  if (echo.skipped) return `_Skipped: ${echo.skipped}._`;
  const rows = echo.cases.map((c) => {
    const peer = echo.peers[0] ? echoCase(echo, echo.peers[0], c.clients, c.depth) : undefined;
    const vs =
      c.server === echo.ours && peer
        ? `${fmtRatio(ratio(c.messagesPerSec.median, peer.messagesPerSec.median))}${pairedNote(c, peer)}`
        : "";
    return [
      c.depth === 1 ? String(c.clients) : `${c.clients} (${c.depth} lines per write)`,
      c.server,
      range(c.messagesPerSec, (x) => fmtNumber(x)),
      fmtNumber(c.mbPerSec.median, 2),
      vs,
      fmtMs(c.p50Ms.median),
      fmtMs(c.p99Ms.median),
      fmtPercent(c.serverCpu.median),
      fmtPercent(c.loadgenCpu.median),
      fmtNumber(c.serverUsPerMessage.median, 1),
      fmtKbAsMb(c.rssConnectedKb.median),
      fmtKbAsMb(c.rssPeakKb.max),
      String(c.errors),
    ];
  });
  const table = renderTable(
    [
      "Clients",
      "Server",
      "msg/s median (min–max)",
      "MB/s",
      "vs peer",
      "p50 RTT",
      "p99 RTT",
      "server CPU",
      "generator CPU",
      "server µs/msg",
      "RSS connected",
      "RSS peak",
      "errors",
    ],
    rows,
    [
      "left",
      "left",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
    ],
  );
  return [table, ...echo.notes.map((n) => `- ${n}`)].join("\n");
}

export function renderGuess(guess: GuessResults | null): string {
  if (!guess) return "_Not run._";
  if (guess.skipped) return `_Skipped: ${guess.skipped}._`;
  const table = renderTable(
    [
      "Maximum",
      "Games",
      "Parallel bots",
      "games/s median (min–max)",
      "mean guesses",
      "worst",
      "bound floor(log2 N)+1",
      "wins",
      "bot CPU",
      "server CPU",
    ],
    guess.cases.map((c) => [
      c.max,
      String(c.games),
      String(c.parallel),
      range(c.gamesPerSec, (x) => fmtNumber(x)),
      fmtNumber(c.meanGuesses.median, 2),
      String(c.worstGuesses),
      String(c.bound),
      `${c.wins}/${c.played}`,
      fmtPercent(c.botCpu.median),
      fmtPercent(c.serverCpu.median),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right"],
  );
  const bound = guess.cases
    .filter((c) => c.botCpu.median >= 0.9)
    .map(
      (c) =>
        `- max ${c.max}, ${c.parallel} parallel: the bot used ${fmtPercent(c.botCpu.median)} of a core and the server ${fmtPercent(c.serverCpu.median)}: the bot, not the server, set this games/s.`,
    );
  return [table, ...guess.notes.map((n) => `- ${n}`), ...bound].join("\n");
}

export function renderScanCase(c: ScanCase): string {
  if (c.skipped) return `**${c.title}**: _skipped: ${c.skipped}._`;
  const ours = c.tools.find((t) => t.ours);
  const rows = c.tools.map((t) => [
    t.name,
    t.timedOut > 0 && t.wallMs.n === 0
      ? `> ${t.limitMs ? fmtSeconds(t.limitMs) : "limit"} (stopped)`
      : range(t.wallMs, (x) => fmtSeconds(x)),
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

export function renderScan(scan: ScanResults | null): string {
  if (!scan) return "_Not run._";
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
export function scanPanels(scan: ScanResults | null): Panel[] {
  if (!scan) return [];
  return scan.cases
    .filter((c) => !c.skipped)
    .map((c) => {
      const t5 = c.tools.find((t) => t.name === "nmap -sT -T5");
      const targetFactor = c.id === "loopback" ? 0.7 : c.id === "lab-mixed" ? 0.5 : null;
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
      if (c.id === "lab-filtered") panel.target = { value: 5000, label: "target 5 s" };
      else if (targetFactor && t5 && t5.wallMs.n > 0)
        panel.target = {
          value: t5.wallMs.median * targetFactor,
          label: `target ${targetFactor}x -T5`,
        };
      return panel;
    });
}

export function renderMarkdown(r: BenchResults): string {
  return [
    "# tp-net benchmark results",
    "",
    renderMachine(r),
    "",
    "## Targets",
    "",
    renderTargets(r.targets),
    "",
    "## tp-echo vs node:net",
    "",
    renderEcho(r.echo),
    "",
    "## tp-guess",
    "",
    renderGuess(r.guess),
    "",
    "## tp-scan vs nmap",
    "",
    renderScan(r.scan),
    "",
  ].join("\n");
}

/** The README's bench section: how to run it, the chart, the latest figures. */
export function renderReadme(r: BenchResults, chartPath: string): string {
  return [
    "`bun run bench` measures each program against its peers in one run on the same machine and writes",
    "`bench/results/latest.json`, `bench/results/latest.md` and the chart below (`bench/results/scan.svg`),",
    "and refreshes this section. `bun run bench --quick` (what `.ci/run` runs) takes under a minute,",
    "writes to the git-ignored `bench/results/tmp/` and proves the bench works without judging speed.",
    "`--only echo,guess,scan` picks sections, `--runs N` sets the runs per figure, `--no-lab` skips the",
    "lab namespace cases, `--render` redraws the outputs from `latest.json`.",
    "",
    "- Peers: `node bench/peers/echo-node.mjs` (the same dialogue on Node.js `node:net`) for tp-echo;",
    "  `nmap -sT -T4` and `-T5` for tp-scan (install with `apt-get install -y nmap`; skipped with a note",
    "  where missing). The issue names no peer for tp-guess. Each figure is the median of several runs",
    "  (min–max shown); ours and the peers alternate so a busy moment hits both.",
    "- Echo: a load generator in its own process (`bench/echo-loadgen.ts`) runs N clients in a closed loop",
    "  (one line out, the whole answer back, checked byte for byte). Its CPU and the server's",
    "  (`/proc/<pid>/stat`) are reported side by side, so a reader sees which one was the bottleneck;",
    "  RSS is `/proc/<pid>/status` VmRSS after all clients connected and its peak under load.",
    "- Scan: wall time from spawn to exit. The loopback result is checked against `ss -ltn` taken before,",
    "  during (every 100 ms) and after each scan; mismatches are re-checked with a connect. Lab cases run",
    "  inside the scanner's lab namespace (`scripts/lab.sh`, needs root): 1005 closed + 1000 filtered +",
    "  5 open ports, and 2001 filtered ports. The sweeps run tp-scan over the mixed layout at each",
    "  concurrency x timeout, on the plain lab loopback and on one shaped to a slow link.",
    "- All load is bounded in count and time and stays on 127.0.0.1 or the lab namespace. The machine is",
    "  shared with other work (see the load averages): the min–max spreads show how noisy a figure was.",
    "",
    `![scan comparison](${chartPath})`,
    "",
    renderMachine(r),
    "",
    renderTargets(r.targets),
    "",
    "**tp-echo vs node:net**",
    "",
    renderEcho(r.echo),
    "",
    "**tp-guess**",
    "",
    renderGuess(r.guess),
    "",
    "**tp-scan vs nmap**",
    "",
    renderScan(r.scan),
  ].join("\n");
}
