import { describe, expect, test } from "bun:test";
import { summarize } from "../../bench/lib/stats.ts";
import {
  fmtKbAsMb,
  fmtMs,
  fmtNumber,
  fmtPercent,
  fmtRange,
  fmtRatio,
  fmtSeconds,
  renderTable,
} from "../../bench/lib/table.ts";

describe("renderTable", () => {
  test("header, alignment rule and rows", () => {
    const md = renderTable(
      ["Tool", "time"],
      [
        ["nmap", "1.6 s"],
        ["tp-scan", "0.9 s"],
      ],
      ["left", "right"],
    );
    expect(md.split("\n")).toEqual([
      "| Tool | time |",
      "| --- | ---: |",
      "| nmap | 1.6 s |",
      "| tp-scan | 0.9 s |",
    ]);
  });
  test("escapes pipes and newlines inside cells", () => {
    expect(renderTable(["a"], [["x|y\nz"]])).toContain("| x\\|y z |");
  });
  test("refuses a row with the wrong number of cells", () => {
    expect(() => renderTable(["a", "b"], [["only one"]])).toThrow(/expected 2/);
  });
});

describe("number formats", () => {
  test("missing values show a dash", () => {
    for (const f of [fmtNumber, fmtSeconds, fmtMs, fmtRatio, fmtPercent, fmtKbAsMb]) {
      expect(f(null)).toBe("–");
      expect(f(Number.NaN)).toBe("–");
    }
  });
  test("values", () => {
    expect(fmtNumber(1234567.8)).toBe("1,234,568");
    expect(fmtNumber(2.345, 2)).toBe("2.35");
    expect(fmtSeconds(1534)).toBe("1.53 s");
    expect(fmtSeconds(48)).toBe("0.048 s");
    expect(fmtSeconds(202_000)).toBe("202 s");
    expect(fmtMs(0.0712)).toBe("0.07 ms");
    expect(fmtMs(14.17)).toBe("14.2 ms");
    expect(fmtRatio(0.6543)).toBe("0.65x");
    expect(fmtPercent(0.953)).toBe("95%");
    expect(fmtKbAsMb(153_600)).toBe("150.0 MB");
  });
});

describe("fmtRange", () => {
  test("median with min–max, the median alone for one run, a dash for none", () => {
    expect(fmtRange(summarize([3, 1, 2]), (x) => String(x))).toBe("2 (1–3)");
    expect(fmtRange(summarize([7]), (x) => String(x))).toBe("7");
    expect(fmtRange(summarize([]), (x) => String(x))).toBe("–");
  });
});
