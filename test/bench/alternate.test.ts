import { describe, expect, test } from "bun:test";
import { alternateRuns, alternationOrder } from "../../bench/lib/alternate.ts";

describe("alternating ours and the peer", () => {
  test("who goes first alternates from run to run", () => {
    expect(alternationOrder([3, 3])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
  });
  test("a spec owed fewer runs drops out, the others keep alternating", () => {
    expect(alternationOrder([2, 1, 0])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(alternationOrder([])).toEqual([]);
  });
  test("outcomes come back per spec, in the order of its runs, one run at a time", async () => {
    const log: string[] = [];
    let running = 0;
    const out = await alternateRuns(
      ["ours", "peer"],
      (s) => (s === "ours" ? 3 : 2),
      async (s, r) => {
        running++;
        expect(running).toBe(1);
        await Bun.sleep(1);
        running--;
        log.push(`${s}${r}`);
        return `${s}#${r}`;
      },
    );
    expect(out).toEqual([
      ["ours#0", "ours#1", "ours#2"],
      ["peer#0", "peer#1"],
    ]);
    expect(log).toEqual(["ours0", "peer0", "peer1", "ours1", "ours2"]);
  });
});
