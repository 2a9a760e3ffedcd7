// The library's options are tp-scan's own flags: their type and their names come from the
// command's citty definition (commands/scan.ts), camel-cased, minus the flags that choose where
// the report is printed (the API yields it instead); their values go through the command's own
// settings builder (run/settings.ts), so every check and default is the CLI's.
import type { ArgDef, CommandDef } from "citty";
import { UsageError } from "../../shared/errors.ts";
import type { outputArgs, resumeArg } from "../commands/_output-args.ts";
import { scanCommand } from "../commands/scan.ts";

type ScanArgs = typeof scanCommand extends CommandDef<infer T> ? T : never;

/** "skip-discovery" -> "skipDiscovery". */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** Flags that name an output (stdout, files, --resume's file): the iterator is the output. */
type OutputFlag = keyof typeof outputArgs | keyof typeof resumeArg | "json" | "list" | "host";

type FlagName = Exclude<keyof ScanArgs & string, OutputFlag>;

/** A boolean flag takes true/false; a flag with a value takes it as text, or a number. */
type FlagValue<D extends ArgDef> = D["type"] extends "boolean" ? boolean : string | number;

/** Every flag of `tp-scan` that is not an output, camel-cased and optional. */
export type ScanFlags = {
  [K in FlagName as CamelCase<K>]?: FlagValue<ScanArgs[K]>;
};

export interface ScanOptions extends ScanFlags {
  /** What the command line's positionals are: names, addresses, ranges, CIDR blocks. */
  targets: string | string[];
  /** Aborting stops the probes at once; the iterator ends with the partial run line. */
  signal?: AbortSignal;
  /** Each warning line the CLI prints on stderr (a name that did not resolve, ...). */
  onWarning?: (line: string) => void;
}

const NOT_FLAGS = new Set(["targets", "signal", "onWarning"]);
const OUTPUT_FLAGS = new Set(["json", "list", "jsonl", "resume", "output-all"]);

const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** camelCase name -> the flag's name and definition, for every flag the API takes. */
function flagTable(): Map<string, { flag: string; def: ArgDef }> {
  const args = scanCommand.args as Record<string, ArgDef>;
  const table = new Map<string, { flag: string; def: ArgDef }>();
  for (const [flag, def] of Object.entries(args)) {
    if (def.type === "positional" || OUTPUT_FLAGS.has(flag) || flag.startsWith("output-")) continue;
    table.set(camelCase(flag), { flag, def });
  }
  return table;
}

export interface FlagArgs {
  /** What citty hands the command's run(): flag name -> value, `_` the positionals. */
  args: Record<string, unknown>;
  /** The same scan as a command line (the --jsonl scan line's `command`). */
  argv: string[];
}

function targetList(targets: unknown): string[] {
  const list = typeof targets === "string" ? [targets] : targets;
  if (!Array.isArray(list) || list.some((t) => typeof t !== "string"))
    throw new UsageError("targets must be a string or an array of strings");
  return list;
}

/** The options as the command's parsed args (UsageError on an unknown option or a bad type). */
export function flagArgs(options: ScanOptions): FlagArgs {
  const table = flagTable();
  const targets = targetList(options.targets);
  const args: Record<string, unknown> = { _: targets };
  const argv = ["tp-scan", ...targets];
  for (const { flag, def } of table.values())
    if (def.default !== undefined) args[flag] = def.default;
  for (const [name, value] of Object.entries(options)) {
    if (NOT_FLAGS.has(name) || value === undefined) continue;
    const entry = table.get(name);
    if (!entry) throw new UsageError(`unknown option '${name}'`);
    if (entry.def.type === "boolean") {
      if (typeof value !== "boolean")
        throw new UsageError(`option '${name}' expects true or false`);
      args[entry.flag] = value;
      if (value) argv.push(`--${entry.flag}`);
      continue;
    }
    if (typeof value !== "string" && typeof value !== "number")
      throw new UsageError(`option '${name}' expects a string or a number`);
    args[entry.flag] = String(value);
    argv.push(`--${entry.flag}`, String(value));
  }
  return { args, argv };
}
