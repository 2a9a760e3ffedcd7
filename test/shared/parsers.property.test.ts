// The flag parsers by property (fast-check): what they accept round-trips, what they reject is
// a UsageError naming the flag, never a crash or a silent wrong value.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { parseNumber, wire } from "../../src/guess/protocol.ts";
import { parsePortSpec } from "../../src/scan/ports/port-spec.ts";
import { UsageError } from "../../src/shared/errors.ts";
import { parseDuration, parseInteger, parsePort, parseSize } from "../../src/shared/parsers.ts";

/** Either a value or a UsageError that names `flag`: nothing else may come out. */
function outcome<T>(flag: string, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(flag);
    return undefined;
  }
}

test("integers: in-range digit strings round-trip; anything else is a UsageError", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (n, max) => {
        const got = outcome("--n", () => parseInteger(String(n), "--n", 0, max));
        expect(got).toBe(n <= max ? n : undefined);
      },
    ),
  );
  fc.assert(
    fc.property(fc.string(), (text) => {
      const got = outcome("--n", () => parseInteger(text, "--n", 0, 1e9));
      if (got !== undefined) expect(String(got)).toBe(text.trim().replace(/^0+(?=\d)/, ""));
    }),
  );
});

test("ports: 1-65535 accepted, the rest refused", () => {
  fc.assert(
    fc.property(fc.integer({ min: -10, max: 70_000 }), (n) => {
      const got = outcome("--port", () => parsePort(String(n)));
      expect(got).toBe(n >= 1 && n <= 65535 ? n : undefined);
    }),
  );
});

test("durations: a number and a unit give milliseconds; garbage is a UsageError", () => {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 100_000 }),
      fc.constantFrom("ms", "s", "m", "h"),
      (n, unit) => {
        expect(parseDuration(`${n}${unit}`, "--t")).toBe(n * units[unit as keyof typeof units]);
      },
    ),
  );
  fc.assert(
    fc.property(fc.string(), (text) => {
      const got = outcome("--t", () => parseDuration(text, "--t"));
      if (got !== undefined) expect(Number.isInteger(got) && got >= 0).toBe(true);
    }),
  );
});

test("sizes: bytes and binary units, bounded; garbage is a UsageError", () => {
  const units = { "": 1, k: 1024, KiB: 1024, m: 1024 ** 2, MiB: 1024 ** 2 } as const;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5000 }),
      fc.constantFrom("", "k", "KiB", "m", "MiB"),
      (n, unit) => {
        const bytes = n * units[unit as keyof typeof units];
        const got = outcome("--size", () => parseSize(`${n}${unit}`, "--size", 1, 1024 ** 3));
        expect(got).toBe(bytes >= 1 && bytes <= 1024 ** 3 ? bytes : undefined);
      },
    ),
  );
  fc.assert(
    fc.property(fc.string(), (text) => void outcome("--size", () => parseSize(text, "--size"))),
  );
});

test("port specs: any list of ports and ranges gives exactly their union, sorted", () => {
  const item = fc.oneof(
    fc.integer({ min: 1, max: 65535 }).map((p) => ({ text: String(p), ports: [p] })),
    fc
      .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 300 }))
      .map(([low, span]) => {
        const high = Math.min(65535, low + span);
        return {
          text: `${low}-${high}`,
          ports: Array.from({ length: high - low + 1 }, (_, i) => low + i),
        };
      }),
  );
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (items) => {
      const want = [...new Set(items.flatMap((i) => i.ports))].sort((a, b) => a - b);
      expect(parsePortSpec(items.map((i) => i.text).join(","))).toEqual(want);
    }),
  );
  fc.assert(
    fc.property(fc.string(), (text) => {
      const got = outcome("-p", () => parsePortSpec(text));
      if (got) for (const p of got) expect(p >= 1 && p <= 65535).toBe(true);
    }),
  );
});

test("tp-guess numbers: any whole number round-trips, with a + and spaces; signs and the rest refused", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 1000n }),
      fc.boolean(),
      fc.nat(3),
      (n, plus, pad) => {
        const text = `${" ".repeat(pad)}${plus ? "+" : ""}${n}${" ".repeat(pad)}`;
        expect(parseNumber(text)).toEqual({ ok: true, value: n });
        if (n > 0n) expect(parseNumber(`-${n}`)).toEqual({ ok: false, problem: "negative" });
      },
    ),
  );
  fc.assert(
    fc.property(fc.string(), (text) => {
      const got = parseNumber(text);
      // Accepted only if it is plain digits once trimmed (and an optional +).
      if (got.ok) expect(/^\+?\d+$/.test(text.trim())).toBe(true);
    }),
  );
  // An erreur line stays short whatever number it quotes.
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 1000n }), (n) => {
      expect(
        wire.error(`${n} est hors de l'intervalle`, `un entier de 1 à ${n}`).length,
      ).toBeLessThan(200);
    }),
  );
});
