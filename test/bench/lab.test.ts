import { describe, expect, test } from "bun:test";
import { ALL_FILTERED, MIXED } from "../../bench/lab.ts";

describe("lab layouts used by the bench", () => {
  test("mixed: 1000 filtered, a few open, the rest closed", () => {
    expect(MIXED.ports).toBe(2010);
    expect(MIXED.filtered).toBe(1000);
    expect(MIXED.open.length).toBe(5);
    expect(MIXED.closed).toBe(1005);
    let counted = { open: 0, closed: 0, filtered: 0 };
    for (let p = MIXED.first; p <= MIXED.last; p++)
      counted = { ...counted, [MIXED.stateOf(p)]: counted[MIXED.stateOf(p)] + 1 };
    expect(counted).toEqual({ open: 5, closed: 1005, filtered: 1000 });
    expect(
      MIXED.open.every((p) => p >= MIXED.first && p <= MIXED.last && MIXED.stateOf(p) === "open"),
    ).toBe(true);
  });
  test("all filtered: 2001 ports, as in the scan issue", () => {
    expect(ALL_FILTERED.ports).toBe(2001);
    expect(ALL_FILTERED.filtered).toBe(2001);
    expect(ALL_FILTERED.closed).toBe(0);
    expect(ALL_FILTERED.range).toBe("30000-32000");
  });
});
