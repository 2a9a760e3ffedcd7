import { describe, expect, test } from "bun:test";
import { formatPortRanges, parsePortSpec } from "../../src/scan/ports/port-spec.ts";
import { UsageError } from "../../src/shared/errors.ts";

describe("parsePortSpec", () => {
  test("lists, ranges and duplicates", () => {
    expect(parsePortSpec("22,80,8000-8003")).toEqual([22, 80, 8000, 8001, 8002, 8003]);
    expect(parsePortSpec(" 80 , 22,22,21-23 ")).toEqual([21, 22, 23, 80]);
    expect(parsePortSpec("65535")).toEqual([65535]);
    expect(parsePortSpec("1-1")).toEqual([1]);
  });

  test("all ports: '-' (what -p- gives), 'all', '1-65535', and open-ended ranges", () => {
    for (const spec of ["-", "all", "1-65535", "-65535", "1-"]) {
      const ports = parsePortSpec(spec);
      expect(ports.length).toBe(65535);
      expect(ports[0]).toBe(1);
      expect(ports.at(-1)).toBe(65535);
    }
    expect(parsePortSpec("-3")).toEqual([1, 2, 3]);
    expect(parsePortSpec("65533-")).toEqual([65533, 65534, 65535]);
  });

  test.each([
    ["0", /out of range/],
    ["65536", /out of range/],
    ["0-10", /out of range/],
    ["10-70000", /out of range/],
    ["100-10", /reversed range/],
    ["abc", /not a port/],
    ["22,,80", /empty item/],
    ["", /empty port list/],
    ["22;80", /not a port/],
    ["1.5", /not a port/],
    ["-5-10", /not a port/],
    ["+22", /not a port/],
  ])("rejects %p", (spec, message) => {
    expect(() => parsePortSpec(spec)).toThrow(UsageError);
    expect(() => parsePortSpec(spec)).toThrow(message);
  });
});

test("formatPortRanges compresses runs", () => {
  expect(formatPortRanges([1, 2, 3, 7, 9, 10])).toBe("1-3,7,9-10");
  expect(formatPortRanges([])).toBe("");
  expect(formatPortRanges(parsePortSpec("-"))).toBe("1-65535");
});

test("parsePortSpec names the flag it parses for", () => {
  expect(() => parsePortSpec("0", "--exclude-ports")).toThrow(/^--exclude-ports: port 0 is out/);
  expect(() => parsePortSpec("9-1", "--exclude-ports")).toThrow(/^--exclude-ports: reversed/);
  expect(() => parsePortSpec("0")).toThrow(/^-p: port 0/);
});
