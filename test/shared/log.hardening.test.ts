// Logging that cannot take the server's memory or mislead its reader, errors that always say
// what happened, and --max-clients within the open-file limit.
import { expect, test } from "bun:test";
import { escapeInvisible } from "../../src/shared/log.ts";
import { BoundedLogSink } from "../../src/shared/log-sink.ts";
import { describeError } from "../../src/shared/server/describe-error.ts";
import { clientsWithinLimit, FD_RESERVE, openFileLimit } from "../../src/shared/server/fd-limit.ts";

test("every control and invisible formatting character is escaped; the rest is kept", () => {
  const raw = "a\x00b\x1b[31mc\x7fd\x85e\u2028f\u2029g\u202eh\u2066i\u200bj\ufeffk\tl\nm é€😀";
  const escaped = escapeInvisible(raw);
  expect(escaped).toBe(
    "a\\x00b\\x1b[31mc\\x7fd\\x85e\\u{2028}f\\u{2029}g\\u{202e}h\\u{2066}i\\u{200b}j\\u{feff}k\\x09l\\x0am é€😀",
  );
  expect(escaped).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
});

test("a log sink whose writes never complete queues at most its cap, then counts what it drops", () => {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  const sink = new BoundedLogSink(
    (bytes, done) => {
      written.push(new TextDecoder().decode(bytes));
      pending.push(() => done(null, bytes.length));
    },
    1000,
    (n) => `[${n} dropped]\n`,
  );
  for (let i = 0; i < 10_000; i++) sink.push(`line ${i} ${"x".repeat(80)}\n`);
  expect(sink.pending).toBeLessThanOrEqual(1000);
  expect(sink.dropped).toBeGreaterThan(9_900);
  // stderr catches up: the next line is preceded by the count of those dropped.
  for (const done of pending.splice(0)) done();
  for (const done of pending.splice(0)) done();
  sink.push("after\n");
  for (let i = 0; i < 5 && pending.length > 0; i++) for (const done of pending.splice(0)) done();
  const all = written.join("");
  expect(all).toMatch(/\[\d{4} dropped\]\nafter\n$/);
  expect(sink.dropped).toBe(0);
});

test("socket errors without a message still name what happened, never 'undefined'", () => {
  expect(describeError(undefined).message).toBe("unknown socket error");
  expect(describeError({ code: "ECONNRESET" }).message).toBe("ECONNRESET");
  const plain = new Error("");
  (plain as Error & { code: string }).code = "EPIPE";
  expect(describeError(plain).message).toBe("EPIPE");
  expect(describeError(new Error("boom")).message).toBe("boom");
  for (const e of [null, undefined, {}, "x", 42, new TypeError()])
    expect(describeError(e).message).not.toContain("undefined");
});

test("--max-clients is lowered to what the open-file limit allows", () => {
  const limits =
    "Limit                     Soft Limit           Hard Limit           Units\nMax open files            256                  4096                 files\n";
  expect(openFileLimit(limits)).toBe(256);
  expect(
    openFileLimit("Max open files            unlimited            unlimited            files\n"),
  ).toBeUndefined();
  expect(clientsWithinLimit(4096, 256)).toBe(256 - FD_RESERVE);
  expect(clientsWithinLimit(100, 256)).toBe(100);
  expect(clientsWithinLimit(4096, undefined)).toBe(4096);
  expect(clientsWithinLimit(10, 20)).toBe(1);
});
