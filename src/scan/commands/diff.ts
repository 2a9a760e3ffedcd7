// `tp-scan diff OLD NEW`: the flags; reading in ../history/read-scan.ts, the diff in
// ../history/diff.ts, the report in ../history/diff-report.ts.
import { defineCommand } from "citty";
import { VERSION } from "../../shared/cli.ts";
import { RuntimeError, UsageError } from "../../shared/errors.ts";
import { writeAll } from "../../shared/stdout.ts";
import { readRunsOfDb } from "../history/db-scans.ts";
import { diffScans } from "../history/diff.ts";
import { diffExitCode, diffJsonl, diffText } from "../history/diff-report.ts";
import { readScanFile } from "../history/read-scan.ts";
import { loadServices } from "../ports/services.ts";
import { dbArg } from "./_db-arg.ts";

/** A file that cannot be read is exit 2 here: 1 means "changes found" to cron and CI. */
function fatal<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RuntimeError) throw new RuntimeError(error.message, 2);
    throw error;
  }
}

export const diffCommand = defineCommand({
  meta: {
    name: "tp-scan diff",
    version: VERSION,
    description:
      "What changed between two scans (tp-scan --jsonl or -oX, nmap -oX; or the last two runs of one scope in a --db history): hosts up or gone, ports opened, closed or with another service. Exit 0: no change, 1: changes, 2: error.",
  },
  args: {
    old: {
      type: "positional",
      description: "the earlier scan's file (- = stdin)",
      required: false,
    },
    new: { type: "positional", description: "the later scan's file", required: false },
    jsonl: { type: "boolean", description: "One JSON object a line instead of text" },
    ...dbArg,
  },
  run({ args }) {
    if (args.db && args.old) throw new UsageError("diff takes either --db FILE or two scan files");
    if (!args.db && (!args.old || !args.new))
      throw new UsageError("diff needs two scan files (OLD NEW) or --db FILE");
    if (args.old === "-" && args.new === "-")
      throw new UsageError("only one of OLD and NEW can be '-'");
    const services = loadServices().table;
    const [old, next] = args.db
      ? fatal(() => readRunsOfDb(args.db as string, services))
      : [
          fatal(() => readScanFile(args.old as string, services)),
          fatal(() => readScanFile(args.new as string, services)),
        ];
    const diff = diffScans(old, next);
    writeAll(1, args.jsonl ? diffJsonl(old, next, diff) : diffText(old, next, diff));
    process.exitCode = diffExitCode(diff);
  },
});
