// The output flags shared by `tp-scan` and `tp-scan merge` (spread into their args), and the
// `-- NMAP-ARGS` tail. nmap spells them -oN/-oG/-oX/-oA: two-letter aliases, which the runner
// (shared/cli.ts) hands to citty as long flags.
import type { ArgsDef } from "citty";
import { UsageError } from "../../shared/errors.ts";
import { ALL_FORMATS, checkTargets, type FileFormat, type OutputTarget } from "../output/sinks.ts";

export const outputArgs = {
  jsonl: {
    type: "boolean",
    description: "Print one JSON object a line as results come (docs/output.md)",
  },
  "output-normal": {
    type: "string",
    alias: "oN",
    valueHint: "FILE",
    description: "nmap's normal text to FILE (- = stdout)",
  },
  "output-grepable": {
    type: "string",
    alias: "oG",
    valueHint: "FILE",
    description: "nmap's greppable lines to FILE",
  },
  "output-xml": {
    type: "string",
    alias: "oX",
    valueHint: "FILE",
    description: "nmap's XML (valid against nmap.dtd) to FILE",
  },
  "output-json": {
    type: "string",
    alias: "oJ",
    valueHint: "FILE",
    description: "The --json document to FILE",
  },
  "output-all": {
    type: "string",
    alias: "oA",
    valueHint: "BASE",
    description: "Every format, to BASE.nmap .gnmap .xml .json .jsonl",
  },
} as const satisfies ArgsDef;

/** Only for the scan itself (not merge). */
export const resumeArg = {
  resume: {
    type: "string",
    valueHint: "FILE",
    description: "Continue the interrupted scan whose --jsonl file is FILE, appending to it",
  },
} as const satisfies ArgsDef;

const SINGLE: Array<[string, string, FileFormat]> = [
  ["output-normal", "oN", "normal"],
  ["output-grepable", "oG", "grepable"],
  ["output-xml", "oX", "xml"],
  ["output-json", "oJ", "json"],
];

/**
 * One flag at most may write to stdout: --json and --list (the command's own) or an output
 * given `-`. The error names the flags the user gave, as typed.
 */
function checkStdout(args: Record<string, unknown>): void {
  const claims = [
    ...(["json", "list", "jsonl"] as const).filter((f) => args[f] === true).map((f) => `--${f}`),
    ...SINGLE.filter(([flag]) => args[flag] === "-").map(([, alias]) => `-${alias} -`),
  ];
  if (claims.length > 1)
    throw new UsageError(
      `${claims.slice(0, -1).join(", ")} and ${claims.at(-1)} cannot be combined: ${claims.length === 2 ? "both write" : "each writes"} to stdout (the others can go to files: -oN/-oG/-oX/-oJ FILE, -oA BASE)`,
    );
}

/** The outputs named by the flags, checked (one stdout at most, no file twice). */
export function outputTargets(args: Record<string, unknown>): OutputTarget[] {
  checkStdout(args);
  const targets: OutputTarget[] = [];
  if (args.jsonl) targets.push({ format: "jsonl", path: "-" });
  for (const [flag, alias, format] of SINGLE) {
    const path = args[flag];
    if (typeof path !== "string") continue;
    if (path === "") throw new UsageError(`-${alias} needs a file name (or - for stdout)`);
    targets.push({ format, path });
  }
  const base = args["output-all"];
  if (typeof base === "string") {
    if (base === "" || base === "-") throw new UsageError("-oA needs a base file name, not stdout");
    for (const { format, extension } of ALL_FORMATS)
      targets.push({ format, path: `${base}.${extension}` });
  }
  checkTargets(targets);
  return targets;
}

/**
 * Split `tp-scan TARGETS -- NMAP-ARGS`: citty leaves the words after `--` among the
 * positionals; take them out and return them (null when there is no `--`).
 */
export function splitPassThrough(
  args: Record<string, unknown>,
  rawArgs: string[],
): { args: Record<string, unknown>; passThrough: string[] | null } {
  const at = rawArgs.indexOf("--");
  if (at < 0) return { args, passThrough: null };
  const passThrough = rawArgs.slice(at + 1);
  const positionals = (args._ as string[] | undefined) ?? [];
  return {
    args: { ...args, _: positionals.slice(0, positionals.length - passThrough.length) },
    passThrough,
  };
}
