import { describe, expect, test } from "bun:test";
import { escapeXml, renderBarChart } from "../../bench/lib/svg.ts";

function widths(svg: string): Record<string, number> {
  // Bar widths in order, keyed by class + order.
  const out: Record<string, number> = {};
  let i = 0;
  for (const m of svg.matchAll(
    /<rect x="\d+" y="\d+" width="([\d.]+)" height="\d+" class="(\w+)"\/>/g,
  )) {
    out[`${m[2]}${i++}`] = Number(m[1]);
  }
  return out;
}

describe("renderBarChart", () => {
  const svg = renderBarChart(
    [
      {
        title: "Full loopback range",
        bars: [
          { label: "tp-scan", value: 800, ours: true, note: "exact" },
          { label: "nmap -sT -T5", value: 1600 },
          { label: "nmap -sT -T4", value: null, note: "nmap missing" },
        ],
        target: { value: 1120, label: "target 0.7x -T5" },
      },
    ],
    { title: "Scan <times>", subtitle: "2 cores" },
  );

  test("is a standalone SVG document with the title escaped", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("Scan &lt;times&gt;");
  });
  test("bars are proportional to values within a panel, ours highlighted", () => {
    const w = widths(svg);
    expect(w.ours0).toBeDefined();
    expect(w.peer1).toBeDefined();
    expect((w.ours0 as number) / (w.peer1 as number)).toBeCloseTo(0.5, 2);
  });
  test("values are labelled in seconds, missing bars say why", () => {
    expect(svg).toContain("0.800 s · exact");
    expect(svg).toContain("1.60 s");
    expect(svg).toContain("nmap missing");
  });
  test("the target line sits at its value on the same scale", () => {
    const line = /<line x1="([\d.]+)"/.exec(svg);
    const rect = /<rect x="(\d+)" y="\d+" width="([\d.]+)" height="\d+" class="peer"/.exec(svg);
    expect(line && rect).toBeTruthy();
    const x0 = Number(rect?.[1]);
    const full = Number(rect?.[2]);
    expect((Number(line?.[1]) - x0) / full).toBeCloseTo(1120 / 1600, 2);
  });
  test("height grows with the number of panels", () => {
    const one = renderBarChart([{ title: "a", bars: [{ label: "x", value: 1 }] }], { title: "t" });
    const two = renderBarChart(
      [
        { title: "a", bars: [{ label: "x", value: 1 }] },
        { title: "b", bars: [{ label: "y", value: 2 }] },
      ],
      { title: "t" },
    );
    const h = (s: string) => Number(/height="(\d+)"/.exec(s)?.[1]);
    expect(h(two)).toBeGreaterThan(h(one));
  });
  test("a run stopped at its time limit reads as a lower bound", () => {
    const out = renderBarChart(
      [{ title: "a", bars: [{ label: "nmap", value: 30_000, atLeast: true, note: "stopped" }] }],
      {
        title: "t",
      },
    );
    expect(out).toContain("&gt; 30.0 s · stopped");
  });
  test("escapeXml", () => {
    expect(escapeXml(`a&b<"c">`)).toBe("a&amp;b&lt;&quot;c&quot;&gt;");
  });
});
