// Logs: one plain line per event on stderr.
import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";
import { BoundedLogSink } from "./log-sink.ts";

// Control characters (C0, DEL, C1), invisible format characters (bidi overrides and isolates,
// zero-width ones, the BOM), every Default_Ignorable_Code_Point (variation selectors, the
// combining grapheme joiner, Hangul fillers U+115F U+1160 U+3164, U+17B4...), the braille
// blank U+2800 and the line/paragraph separators: a client's bytes quoted in a log line must
// not end the line, colour the terminal, hide or reorder what a reader sees.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029\u2800]/gu;

/** `text` with every control and invisible formatting character as a \xHH or \u{HHHH} escape. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0) as number;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u{${code.toString(16).padStart(4, "0")}}`;
  });
}

const stamp = (date: Date) => date.toISOString().slice(11, 23);
const sink = new BoundedLogSink(
  undefined,
  undefined,
  (n) => `${stamp(new Date())} warn    ${n} log line(s) dropped: stderr did not keep up\n`,
);

// One plain line per event on stderr: grep-able, and stdout stays free for program output.
const plainReporter: ConsolaReporter = {
  log(entry) {
    const text = entry.args.map((a) => (typeof a === "string" ? a : Bun.inspect(a))).join(" ");
    sink.push(`${stamp(entry.date)} ${entry.type.padEnd(7)} ${escapeInvisible(text)}\n`);
  },
};

/** The program's logger; `quiet` keeps errors only. */
export function createLogger(tag: string, quiet = false): ConsolaInstance {
  return createConsola({
    level: quiet ? LogLevels.error : LogLevels.info,
    reporters: [plainReporter],
    defaults: { tag },
  });
}
