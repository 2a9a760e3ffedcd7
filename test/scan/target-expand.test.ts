import { describe, expect, test } from "bun:test";
import {
  checkTargetCount,
  countTargets,
  expandTargets,
  MAX_TARGETS_WITHOUT_FLAG,
  type NameTable,
  upperBound,
} from "../../src/scan/targets/expand.ts";
import { parseTargetSpec } from "../../src/scan/targets/spec.ts";
import { UsageError } from "../../src/shared/errors.ts";

const specs = (...texts: string[]) => texts.map((t) => parseTargetSpec(t));
const names: NameTable = new Map([
  ["www.example", { address: "192.0.2.5", family: 4, otherAddresses: ["2001:db8::5"] }],
  ["v6.example", { address: "2001:db8::7", family: 6, otherAddresses: [] }],
]);

function expanded(targets: string[], excludes: string[] = [], table: NameTable = names): string[] {
  return [...expandTargets(specs(...targets), specs(...excludes), table)].map((t) =>
    t.name === t.address ? t.address : `${t.name}=${t.address}`,
  );
}

describe("expansion", () => {
  test("the user's order, each address once, where it first appears", () => {
    expect(expanded(["192.0.2.3", "192.0.2.1-4", "192.0.2.2", "192.0.2.0/30"])).toEqual([
      "192.0.2.3",
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.4",
      "192.0.2.0",
    ]);
    // A name keeps its name; the same address again under another form is not scanned twice.
    expect(
      expanded(["www.example", "192.0.2.4-6", "www.example", "v6.example", "2001:db8::4/126"]),
    ).toEqual([
      "www.example=192.0.2.5",
      "192.0.2.4",
      "192.0.2.6",
      "v6.example=2001:db8::7",
      "2001:db8::4",
      "2001:db8::5",
      "2001:db8::6",
    ]);
    expect(expanded(["192.0.2.5", "www.example"])).toEqual(["192.0.2.5"]);
  });

  test("literals keep what the user typed, with the bytes and zone of the address", () => {
    const [v6, v4, zoned] = expandTargets(
      specs("[2001:db8::1]", "192.0.2.1", "fe80::1%3"),
      [],
      names,
    );
    expect(v6).toMatchObject({ name: "[2001:db8::1]", address: "2001:db8::1", family: 6 });
    expect(v4).toMatchObject({ name: "192.0.2.1", family: 4 });
    expect([...(v4?.bytes ?? [])]).toEqual([192, 0, 2, 1]);
    expect(zoned).toMatchObject({ address: "fe80::1", scopeId: 3 });
  });

  test("names that did not resolve are skipped", () => {
    expect(expanded(["nowhere.invalid", "192.0.2.1"])).toEqual(["192.0.2.1"]);
  });

  test("exclusions of every form", () => {
    expect(expanded(["192.0.2.0/29"], ["192.0.2.2-3", "192.0.2.6/31"])).toEqual([
      "192.0.2.0",
      "192.0.2.1",
      "192.0.2.4",
      "192.0.2.5",
    ]);
    // A name excludes every address it resolved to.
    expect(expanded(["192.0.2.4-6", "2001:db8::4/126"], ["www.example"])).toEqual([
      "192.0.2.4",
      "192.0.2.6",
      "2001:db8::4",
      "2001:db8::6",
      "2001:db8::7",
    ]);
    expect(expanded(["www.example", "v6.example"], ["2001:db8::/120"])).toEqual([
      "www.example=192.0.2.5",
    ]);
    expect(expanded(["192.0.2.1"], ["192.0.2.*"])).toEqual([]);
  });

  test("lazy: a whole IPv4 space and an IPv6 /64 start at once and cost no memory", () => {
    const space = expandTargets(specs("0.0.0.0/0"), specs("0.0.0.1"), names);
    const first = [0, 1, 2].map(() => space.next().value?.address);
    expect(first).toEqual(["0.0.0.0", "0.0.0.2", "0.0.0.3"]);
    const v6 = expandTargets(specs("2001:db8::/64"), [], names);
    expect(v6.next().value?.address).toBe("2001:db8::");
    expect(v6.next().value?.address).toBe("2001:db8::1");
  });

  test("an -iL of many single addresses is expanded without quadratic cost", () => {
    const list = Array.from({ length: 20_000 }, (_, i) => `198.18.${i >> 8}.${i & 0xff}`);
    const all = [...expandTargets(specs(...list, ...list), [], names)];
    expect(all.length).toBe(20_000);
    expect(all[19_999]?.address).toBe("198.18.78.31");
  });
});

describe("counting and the typo guard", () => {
  test("counts after duplicates and exclusions", () => {
    expect(upperBound(specs("192.0.2.0/24", "192.0.2.1", "localhost"))).toBe(258n);
    expect(
      countTargets(specs("192.0.2.0/24", "192.0.2.1"), specs("192.0.2.0/25"), names, 1000),
    ).toBe(128);
    expect(countTargets(specs("192.0.2.0/24"), [], names, 10)).toBe(11);
  });

  test(`more than ${MAX_TARGETS_WITHOUT_FLAG} addresses need --allow-many`, () => {
    expect(() => checkTargetCount(specs("198.18.0.0/16"), [], false)).not.toThrow();
    const error = (() => {
      try {
        checkTargetCount(specs("198.18.0.0/15"), [], false);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.message).toBe(
      "more than 65536 target addresses (198.18.0.0/15 alone has 131072): check the spec, or add --allow-many to scan them all",
    );
    expect(() => checkTargetCount(specs("198.18.0.0/16", "localhost"), [], false)).toThrow(
      /--allow-many/,
    );
    expect(() => checkTargetCount(specs("198.18.0.0/15"), [], true)).not.toThrow();
    expect(() => checkTargetCount(specs("2001:db8::/64"), [], false)).toThrow(/too many targets/);
    expect(() => checkTargetCount(specs("2001:db8::/111"), [], false)).toThrow(/--allow-many/);
  });

  test("the guard counts what is left after duplicates and exclusions", () => {
    expect(() =>
      checkTargetCount(specs("198.18.0.0/16", "198.18.0.0/16"), [], false),
    ).not.toThrow();
    expect(() =>
      checkTargetCount(specs("198.18.0.0/15"), specs("198.19.0.0/16"), false),
    ).not.toThrow();
  });

  test("never more than a whole IPv4 space, even with the flag", () => {
    expect(() => checkTargetCount(specs("2001:db8::/64"), [], true)).toThrow(/too many targets/);
    expect(() => checkTargetCount(specs("0.0.0.0/0"), [], true)).not.toThrow();
  });
});

describe("against a plain model (every address materialized in a Set)", () => {
  // Small random specs inside 198.18.0.0/22 and 2001:db8::/120, so they overlap often.
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const randomSpec = (): string => {
    const octet = () => {
      const a = random(256);
      const b = Math.min(255, a + random(20));
      return random(3) === 0 ? `${a}` : random(2) === 0 ? `${a}-${b}` : `${a},${b}`;
    };
    switch (random(4)) {
      case 0:
        return `198.18.${random(4)}.${random(256)}/${24 + random(9)}`;
      case 1:
        return `198.18.${random(4)}.${octet()}`;
      case 2:
        return `2001:db8::${random(256).toString(16)}/${120 + random(9)}`;
      default:
        return `198.18.${random(4)}.${random(256)}`;
    }
  };
  const model = (targets: string[], excludes: string[]): string[] => {
    const list = (texts: string[]) =>
      texts.flatMap((t) => [...expandTargets(specs(t), [], new Map())].map((x) => x.address));
    const out = new Set<string>();
    const excluded = new Set(list(excludes));
    for (const a of list(targets)) if (!excluded.has(a)) out.add(a);
    return [...out];
  };

  test("200 random cases: same addresses, same order", () => {
    for (let round = 0; round < 200; round++) {
      const targets = Array.from({ length: 1 + random(6) }, randomSpec);
      const excludes = Array.from({ length: random(3) }, randomSpec);
      const ours = [...expandTargets(specs(...targets), specs(...excludes), names)].map(
        (t) => t.address,
      );
      expect({ targets, excludes, ours }).toEqual({
        targets,
        excludes,
        ours: model(targets, excludes),
      });
    }
  });
});
