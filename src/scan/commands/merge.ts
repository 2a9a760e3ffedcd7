// `tp-scan merge FILE...`: the flags; the work is in ../output/merge.ts.
import { defineCommand } from "citty";
import { allowExtraPositionals, VERSION } from "../../shared/cli.ts";
import { UsageError } from "../../shared/errors.ts";
import { createLogger } from "../../shared/log.ts";
import { runMerge } from "../output/merge.ts";
import { loadServices } from "../ports/services.ts";
import { parseShow } from "../run/run.ts";
import { outputArgs, outputTargets } from "./_output-args.ts";

export const mergeCommand = allowExtraPositionals(
  defineCommand({
    meta: {
      name: "tp-scan merge",
      version: VERSION,
      description:
        "Merge --jsonl files of one scan (its shards, a run and its resumption) into one report; files from different scans are refused.",
    },
    args: {
      file: {
        type: "positional",
        description: "--jsonl files (several may follow; - = stdin)",
        required: true,
      },
      json: {
        type: "boolean",
        description: "Print the --json document instead of the text report",
      },
      list: { type: "boolean", description: "Print only the open ports (one line per host)" },
      show: { type: "string", description: "Also list these states: closed,filtered" },
      ...outputArgs,
    },
    run({ args }) {
      if (args.json && args.list) throw new UsageError("--json and --list cannot be combined");
      const files = [args.file, ...(args._ ?? []).slice(1)].filter((f): f is string => Boolean(f));
      const log = createLogger("tp-scan");
      process.exitCode = runMerge({
        files,
        outputs: outputTargets(args as Record<string, unknown>),
        stdout: args.json ? "json" : args.list ? "list" : "text",
        show: parseShow(args.show),
        services: loadServices().table,
        warn: (line) => log.warn(line),
        command: process.argv.slice(1),
      });
    },
  }),
);
