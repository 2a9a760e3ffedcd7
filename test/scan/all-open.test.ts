import { describe, expect, test } from "bun:test";
import { allOpenVerdict, DEFAULT_ALL_OPEN } from "../../src/scan/policy/all-open.ts";

describe("allOpenVerdict", () => {
  const policy = DEFAULT_ALL_OPEN;
  test("more open ports than the threshold: port-threshold; 0 turns it off", () => {
    const counts = { open: 1001, closed: 5000, filtered: 0, total: 65535 };
    expect(allOpenVerdict(counts, policy)).toBe("port-threshold");
    expect(allOpenVerdict({ ...counts, open: 1000 }, policy)).toBeNull();
    expect(allOpenVerdict(counts, { ...policy, threshold: 0 })).toBeNull();
  });
  test("the first 200 settled all open, many to go: closed-ports-accept", () => {
    const counts = { open: 200, closed: 0, filtered: 0, total: 3000 };
    expect(allOpenVerdict(counts, policy)).toBe("closed-ports-accept");
    expect(allOpenVerdict({ ...counts, open: 199 }, policy)).toBeNull();
    // One closed port: a real host with many listeners.
    expect(allOpenVerdict({ ...counts, closed: 1 }, policy)).toBeNull();
    // The list is the host's listeners: nothing else to find, not a tarpit.
    expect(allOpenVerdict({ ...counts, total: 300 }, policy)).toBeNull();
  });
});
