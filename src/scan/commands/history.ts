// `tp-scan history --db FILE`: the runs recorded in a history, oldest first.
import { defineCommand } from "citty";
import { VERSION } from "../../shared/cli.ts";
import { UsageError } from "../../shared/errors.ts";
import { writeAll } from "../../shared/stdout.ts";
import { openHistory } from "../history/db.ts";
import { historyJsonl, historyText } from "../history/history-report.ts";
import { listRuns } from "../history/runs.ts";
import { dbArg } from "./_db-arg.ts";

export const historyCommand = defineCommand({
  meta: {
    name: "tp-scan history",
    version: VERSION,
    description:
      "List the runs recorded in a --db history file: when, status, targets, ports, what was found.",
  },
  args: {
    ...dbArg,
    jsonl: { type: "boolean", description: "One JSON object a run instead of the table" },
  },
  run({ args }) {
    if (!args.db) throw new UsageError("history needs --db FILE");
    const db = openHistory(args.db, { create: false });
    const runs = listRuns(db);
    db.close();
    writeAll(1, args.jsonl ? historyJsonl(runs) : historyText(runs));
  },
});
