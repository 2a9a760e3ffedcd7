// Pure Markdown rendering for bench/results/latest.md: tables and number formats.
import type { Summary } from "./stats.ts";

export type Align = "left" | "right";

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A GitHub Markdown table; numeric columns are usually right-aligned. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const width = headers.length;
  for (const row of rows) {
    if (row.length !== width)
      throw new Error(`row has ${row.length} cells, expected ${width}: ${row.join(" | ")}`);
  }
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  const rule = headers.map((_, i) => (align[i] === "right" ? "---:" : "---"));
  return [line(headers), `|${rule.map((r) => ` ${r} `).join("|")}|`, ...rows.map(line)].join("\n");
}

/** A number with a fixed count of significant-looking decimals; "–" for a missing value. */
export function fmtNumber(value: number | null | undefined, decimals = 0): string {
  if (value == null || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Seconds from milliseconds, e.g. 1534 -> "1.53 s", 48 -> "0.048 s". */
export function fmtSeconds(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "–";
  const s = ms / 1000;
  if (s >= 100) return `${s.toFixed(0)} s`;
  if (s >= 1) return `${s.toFixed(2)} s`;
  return `${s.toFixed(3)} s`;
}

/** A latency in milliseconds with sensible precision. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "–";
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A ratio such as "1.62x"; "–" when there is nothing to compare against. */
export function fmtRatio(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "–";
  return `${value.toFixed(2)}x`;
}

/** A fraction as a percentage, e.g. 0.953 -> "95%". */
export function fmtPercent(value: number | null | undefined, decimals = 0): string {
  if (value == null || !Number.isFinite(value)) return "–";
  return `${(value * 100).toFixed(decimals)}%`;
}

/** Kibibytes to "12.3 MB" (MiB, as /proc reports kB = KiB). */
export function fmtKbAsMb(kb: number | null | undefined): string {
  if (kb == null || !Number.isFinite(kb)) return "–";
  return `${(kb / 1024).toFixed(1)} MB`;
}

/** "median (min–max)" of a summary, the median alone for one run, "–" for none. */
export function fmtRange(s: Summary, f: (x: number) => string): string {
  if (s.n === 0) return "–";
  if (s.n === 1) return f(s.median);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
