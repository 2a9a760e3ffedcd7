// Pure SVG rendering of the scan comparison chart (bench/results/scan.svg, shown in bench/README.md).
// One panel per case, horizontal bars of wall time, each panel on its own scale (cases differ by
// orders of magnitude), with an optional dashed line for the target.

export interface Bar {
  label: string;
  /** Milliseconds; null = not measured (peer missing or skipped). */
  value: number | null;
  /** Highlight our own program. */
  ours?: boolean;
  /** Text after the value, e.g. "exact" or "stopped at 60 s". */
  note?: string;
  /** The value is a lower bound (the run was stopped at a time limit): shown as "> value". */
  atLeast?: boolean;
}

export interface Panel {
  title: string;
  bars: Bar[];
  /** A dashed vertical line, e.g. the time the target allows. */
  target?: { value: number; label: string };
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  width?: number;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${s.toFixed(3)} s`;
}

const BAR_H = 20;
const BAR_GAP = 6;
const LABEL_W = 150;
const PANEL_TITLE_H = 26;
const PANEL_GAP = 16;
const VALUE_W = 190;

/** Render the chart; deterministic for the same input (tests compare structure, not pixels). */
export function renderBarChart(panels: readonly Panel[], opts: ChartOptions): string {
  const width = opts.width ?? 760;
  const plotW = width - LABEL_W - VALUE_W - 20;
  const headerH = opts.subtitle ? 52 : 34;
  const parts: string[] = [];
  let y = headerH;
  for (const panel of panels) {
    const values = panel.bars.map((b) => b.value ?? 0);
    if (panel.target) values.push(panel.target.value);
    const scaleMax = Math.max(...values, 1e-9);
    parts.push(`<text x="10" y="${y + 17}" class="panel">${escapeXml(panel.title)}</text>`);
    y += PANEL_TITLE_H;
    const top = y;
    const panelStart = parts.length;
    for (const bar of panel.bars) {
      const label = `<text x="${LABEL_W - 8}" y="${y + 14}" class="label" text-anchor="end">${escapeXml(bar.label)}</text>`;
      parts.push(label);
      if (bar.value == null || !Number.isFinite(bar.value)) {
        parts.push(
          `<text x="${LABEL_W + 4}" y="${y + 14}" class="missing">${escapeXml(bar.note ?? "not measured")}</text>`,
        );
      } else {
        const w = Math.max(1, (bar.value / scaleMax) * plotW);
        const cls = bar.ours ? "ours" : "peer";
        parts.push(
          `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" class="${cls}"/>`,
        );
        const shown = `${bar.atLeast ? "> " : ""}${seconds(bar.value)}`;
        const text = bar.note ? `${shown} · ${bar.note}` : shown;
        parts.push(
          `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 14}" class="value">${escapeXml(text)}</text>`,
        );
      }
      y += BAR_H + BAR_GAP;
    }
    if (panel.target) {
      const x = LABEL_W + (panel.target.value / scaleMax) * plotW;
      // The line goes under the bars and their values; the label under the bars, clear of the title.
      parts.splice(
        panelStart,
        0,
        `<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${y - BAR_GAP + 4}" class="target"/>`,
      );
      parts.push(
        `<text x="${x.toFixed(1)}" y="${y - BAR_GAP + 16}" class="target-label" text-anchor="middle">${escapeXml(panel.target.label)}</text>`,
      );
      y += 14;
    }
    y += PANEL_GAP;
  }
  const height = y + 4;
  const header = [
    `<text x="10" y="22" class="title">${escapeXml(opts.title)}</text>`,
    opts.subtitle ? `<text x="10" y="40" class="subtitle">${escapeXml(opts.subtitle)}</text>` : "",
  ].filter(Boolean);
  const style = [
    "text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;fill:#24292f}",
    ".title{font-size:16px;font-weight:600}.subtitle{font-size:12px;fill:#57606a}",
    ".panel{font-size:13px;font-weight:600}.label,.value,.missing{font-size:12px}",
    ".value{paint-order:stroke;stroke:#ffffff;stroke-width:3px}",
    ".missing{fill:#8c959f;font-style:italic}.ours{fill:#0969da}.peer{fill:#8c959f}",
    ".target{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:4 3}.target-label{font-size:11px;fill:#cf222e}",
  ].join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(opts.title)}">`,
    `<style>${style}</style>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...header,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
