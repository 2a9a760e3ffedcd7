// Logs: one plain line per event on stderr.
import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";

// One plain line per event on stderr: grep-able, and stdout stays free for program output.
const plainReporter: ConsolaReporter = {
  log(entry) {
    const time = entry.date.toISOString().slice(11, 23);
    const text = entry.args.map((a) => (typeof a === "string" ? a : Bun.inspect(a))).join(" ");
    process.stderr.write(`${time} ${entry.type.padEnd(7)} ${text}\n`);
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
