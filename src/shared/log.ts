// Logs on stderr, one line per event, in the form the program's use calls for (LogForm).
import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";
import { BoundedLogSink } from "./log-sink.ts";
import { plural } from "./plural.ts";

// Control characters (C0, DEL, C1), invisible format characters (bidi overrides and isolates,
// zero-width ones, the BOM) and the line/paragraph separators: a client's bytes quoted in a log
// line must not end the line, colour the terminal or reorder what a reader sees.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** `text` with every control and invisible formatting character as a \xHH or \u{HHHH} escape. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0) as number;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u{${code.toString(16).padStart(4, "0")}}`;
  });
}

/**
 * How log lines look (docs/logs.md):
 * - "cli": one-shot programs (tp-scan, merge): `tp-scan: warning: …`, the form of their errors;
 * - "events": a server's event log, read alongside the clock: `17:15:36.819 info    …`;
 * - "json": a server's `--log json`: one JSON object a line, nothing else on stderr.
 */
export type LogForm = "cli" | "events" | "json";

const stamp = (date: Date) => date.toISOString().slice(11, 23);

/** consola's level names, as our lines spell them. */
function levelName(type: string): string {
  return type === "warn" ? "warning" : type;
}

function eventLine(date: Date, level: string, text: string): string {
  return `${stamp(date)} ${level.padEnd(7)} ${escapeInvisible(text)}\n`;
}

/** One `--log json` line: time and type first, then the fields (JSON escapes the rest). */
export function jsonLine(type: string, fields: Record<string, unknown>, date = new Date()): string {
  return `${JSON.stringify({ time: date.toISOString(), type, ...fields })}\n`;
}

function dropNotice(form: LogForm, tag: string): (n: number) => string {
  const text = (n: number) => `${plural(n, "log line")} dropped: stderr did not keep up`;
  if (form === "json") return (n) => jsonLine("log", { level: "warning", message: text(n) });
  if (form === "events") return (n) => eventLine(new Date(), "warn", text(n));
  return (n) => `${tag}: warning: ${text(n)}\n`;
}

// One sink per form (a program uses one), so that its lines keep their order.
const sinks = new Map<LogForm, BoundedLogSink>();
function sinkFor(form: LogForm, tag = "tp-net"): BoundedLogSink {
  const known = sinks.get(form);
  if (known) return known;
  const sink = new BoundedLogSink(undefined, undefined, dropNotice(form, tag));
  sinks.set(form, sink);
  return sink;
}

/** Write one `--log json` object (e.g. a game's record) in the log's order. */
export function writeJsonLine(type: string, fields: Record<string, unknown>): void {
  sinkFor("json").push(jsonLine(type, fields));
}

function reporter(form: LogForm, tag: string): ConsolaReporter {
  const sink = sinkFor(form, tag);
  return {
    log(entry) {
      const text = entry.args.map((a) => (typeof a === "string" ? a : Bun.inspect(a))).join(" ");
      if (form === "json")
        sink.push(
          jsonLine(
            "log",
            { level: levelName(entry.type), message: escapeInvisible(text) },
            entry.date,
          ),
        );
      else if (form === "events") sink.push(eventLine(entry.date, entry.type, text));
      else sink.push(`${tag}: ${levelName(entry.type)}: ${escapeInvisible(text)}\n`);
    },
  };
}

export interface LoggerOptions {
  /** Errors only. */
  quiet?: boolean;
  /** "cli" unless the program is a server. */
  form?: LogForm;
}

/** The program's logger on stderr; `tag` names the program ("tp-scan"). */
export function createLogger(tag: string, opts: LoggerOptions = {}): ConsolaInstance {
  const { quiet = false, form = "cli" } = opts;
  return createConsola({
    level: quiet ? LogLevels.error : LogLevels.info,
    reporters: [reporter(form, tag)],
    defaults: { tag },
  });
}
