// `tp-scan history` as a table (one row a run) or --jsonl (one object a run).
import type { RunRow } from "./runs.ts";

const when = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");

function duration(run: RunRow): string {
  if (!run.finishedAt) return "-";
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.round(ms / 1000)}s`;
}

export function historyText(runs: RunRow[]): string {
  if (runs.length === 0) return "no run recorded\n";
  const rows = [
    ["RUN", "STARTED", "STATUS", "TIME", "UP", "OPEN", "TARGETS", "PORTS"],
    ...runs.map((r) => [
      String(r.id),
      when(r.startedAt),
      r.status,
      duration(r),
      r.hostsUp === null ? "-" : String(r.hostsUp),
      r.openPorts === null ? "-" : String(r.openPorts),
      r.targets,
      r.ports,
    ]),
  ];
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  const line = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ");
  return `${rows.map(line).join("\n")}\n`;
}

export function historyJsonl(runs: RunRow[]): string {
  return runs.map((r) => `${JSON.stringify({ type: "history-run", ...r })}\n`).join("");
}
