// tp-echo against node:net: its targets and its table in latest.md. Pure.
import type { Target } from "./section.ts";
import { pairedRatioMedian, ratio } from "./stats.ts";
import {
  fmtKbAsMb,
  fmtMs,
  fmtNumber,
  fmtPercent,
  fmtRange,
  fmtRatio,
  renderTable,
} from "./table.ts";
import type { EchoCaseSummary, EchoResults } from "./types.ts";

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
  echo: EchoResults,
  server: string,
  clients: number,
  depth = 1,
): EchoCaseSummary | undefined {
  return echo.cases.find((c) => c.server === server && c.clients === clients && c.depth === depth);
}

/** The targets of the echo issue (reported, never asserted in tests). */
export const ECHO_TARGETS: readonly Target<EchoResults>[] = [
  {
    name: "echo messages/s at 100 clients vs node:net",
    wanted: ">= 1.50x",
    check(echo) {
      const ours = echoCase(echo, "tp-echo", 100);
      const peer = echoCase(echo, "node:net", 100);
      const q = ratio(ours?.messagesPerSec.median, peer?.messagesPerSec.median);
      if (q === null || !ours || !peer) return null;
      return {
        measured: `${fmtRatio(q)}${pairedNote(ours, peer)} (${fmtNumber(ours.messagesPerSec.median)} vs ${fmtNumber(peer.messagesPerSec.median)} msg/s; server CPU per message ${fmtNumber(ours.serverUsPerMessage.median, 1)} vs ${fmtNumber(peer.serverUsPerMessage.median, 1)} µs)`,
        pass: q >= 1.5,
      };
    },
  },
  {
    name: "tp-echo RSS with 1000 clients connected (worst run)",
    wanted: "< 150 MB",
    check(echo) {
      const ours = echoCase(echo, "tp-echo", 1000);
      const rss = ours ? Math.max(ours.rssConnectedKb.max, ours.rssPeakKb.max) : null;
      if (rss === null || !Number.isFinite(rss)) return null;
      return { measured: fmtKbAsMb(rss), pass: rss < MB150_KB };
    },
  },
];

export function renderEcho(echo: EchoResults): string {
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
      fmtRange(c.messagesPerSec, (x) => fmtNumber(x)),
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
  const headers = [
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
  ];
  const align = headers.map((_, i) => (i < 2 ? "left" : "right") as "left" | "right");
  return [renderTable(headers, rows, align), ...echo.notes.map((n) => `- ${n}`)].join("\n");
}
