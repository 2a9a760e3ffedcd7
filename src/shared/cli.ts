// CLI plumbing shared by the three programs: one-line errors with stable exit codes,
// strict flag checking (citty alone accepts unknown flags silently), value parsers, logs.
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";

/** Bad flags or arguments: exit 2, with a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The program ran but could not do its job (refused, unknown host, port busy): exit 1. */
export class RuntimeError extends Error {
  override name = "RuntimeError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

// biome-ignore lint/suspicious/noExplicitAny: citty's command tree is heterogeneous by design.
type AnyCommand = CommandDef<any>;

const variadic = new WeakSet<object>();

/** Mark a command whose trailing positionals (args._) are meaningful, e.g. several scan targets. */
export function allowExtraPositionals<T extends AnyCommand>(cmd: T): T {
  variadic.add(cmd);
  return cmd;
}

async function resolve<T>(value: T | Promise<T> | (() => T) | (() => Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

interface FlagSpec {
  takesValue: boolean;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

function flagTable(args: ArgsDef): Map<string, FlagSpec> {
  const table = new Map<string, FlagSpec>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const spec = { takesValue: def.type === "string" || def.type === "enum" };
    const alias = "alias" in def ? def.alias : undefined;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const n of [name, kebab(name), ...aliases]) table.set(n, spec);
    if (def.type === "boolean") table.set(`no-${kebab(name)}`, { takesValue: false });
  }
  table.set("help", { takesValue: false });
  table.set("h", { takesValue: false });
  return table;
}

/** Index of the first positional in argv, skipping the values of flags that take one. */
function firstPositional(argv: string[], flags: Map<string, FlagSpec>): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") return -1;
    if (!arg.startsWith("-")) return i;
    if (!arg.includes("=") && flags.get(arg.replace(/^--?/, ""))?.takesValue) i++;
  }
  return -1;
}

/**
 * Reject what citty would silently accept: unknown flags, flags missing their value,
 * and positionals the command does not declare.
 */
function checkArgv(cmd: AnyCommand, args: ArgsDef, argv: string[]): void {
  const flags = flagTable(args);
  const positionalCount = Object.values(args).filter((a) => a.type === "positional").length;
  let positionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals += argv.length - i - 1;
      break;
    }
    if (arg.startsWith("-") && arg !== "-" && !/^-\d/.test(arg)) {
      const long = arg.startsWith("--");
      const body = arg.slice(long ? 2 : 1);
      const eq = body.indexOf("=");
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const spec = flags.get(name);
      if (!spec) {
        // -p- is the nmap idiom for "all ports": let a command that has -p see it.
        if (!long && name.length > 1 && flags.get(name[0] as string)?.takesValue) continue;
        throw new UsageError(`unknown option '${long ? "--" : "-"}${name}'`);
      }
      if (spec.takesValue && eq < 0) {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`option '${arg}' needs a value`);
        i++;
      }
      continue;
    }
    positionals++;
  }
  if (positionals > positionalCount && !variadic.has(cmd)) {
    throw new UsageError(`unexpected argument '${argv.filter((a) => !a.startsWith("-")).at(-1)}'`);
  }
}

/**
 * Run a citty command tree as a user-facing program: --help and --version, strict flags,
 * and every failure as one line on stderr with exit 2 (usage) or 1 (runtime). No stack traces
 * unless TP_DEBUG is set.
 */
export async function runCli(
  main: AnyCommand,
  rawArgs: string[] = process.argv.slice(2),
): Promise<void> {
  const mainMeta = await resolve(main.meta ?? {});
  const programName = mainMeta.name ?? "tp";
  let cmd: AnyCommand = main;
  let parent: AnyCommand | undefined;
  // "tp-guess bot": where the usage hint should send the user.
  let commandPath = programName;
  let argv = rawArgs;
  try {
    // Walk down to the subcommand the user named.
    for (;;) {
      const subs = await resolve(cmd.subCommands);
      if (!subs || Object.keys(subs).length === 0) break;
      const first = firstPositional(argv, flagTable(await resolve(cmd.args ?? {})));
      const name = first >= 0 ? argv[first] : undefined;
      const sub = name !== undefined ? subs[name] : undefined;
      if (!sub) {
        if (argv.includes("--help") || argv.includes("-h") || argv.length === 0 || !cmd.run) {
          if (argv.includes("--version") && mainMeta.version) {
            console.log(mainMeta.version);
            return;
          }
          if (name !== undefined && !cmd.run) throw new UsageError(`unknown command '${name}'`);
          if (!cmd.run) {
            printUsage(await renderUsage(cmd, parent));
            process.exitCode = argv.length === 0 ? EXIT_USAGE : EXIT_OK;
            return;
          }
        }
        break;
      }
      parent = cmd;
      commandPath += ` ${name}`;
      cmd = await resolve(sub);
      argv = argv.slice(0, first).concat(argv.slice(first + 1));
    }
    if (argv.includes("--help") || argv.includes("-h")) {
      printUsage(await renderUsage(cmd, parent));
      return;
    }
    if (argv.length === 1 && argv[0] === "--version" && mainMeta.version) {
      console.log(mainMeta.version);
      return;
    }
    checkArgv(cmd, await resolve(cmd.args ?? {}), argv);
    await runCommand(cmd, { rawArgs: argv });
  } catch (error) {
    process.exitCode = reportError(programName, error, commandPath);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour codes.
const ANSI = /\u001b\[[0-9;]*m/g;

/** Help text, without colours when it goes to a file or a pipe, and without trailing blanks. */
function printUsage(text: string): void {
  const plain = process.stdout.isTTY && !process.env.NO_COLOR ? text : text.replace(ANSI, "");
  console.log(`${plain.replace(/[ \t]+$/gm, "")}\n`);
}

/** Print an error as one line and return the exit code it deserves. */
export function reportError(
  programName: string,
  error: unknown,
  commandPath = programName,
): number {
  const err = error instanceof Error ? error : new Error(String(error));
  // citty's own argument errors (missing positional, bad enum) are usage errors too.
  const isUsage = err instanceof UsageError || (err as { code?: string }).code === "EARG";
  const message = err.message.replace(ANSI, "").split("\n")[0];
  const hint = isUsage ? ` (see '${commandPath} --help')` : "";
  process.stderr.write(`${programName}: error: ${message}${hint}\n`);
  if (process.env.TP_DEBUG) process.stderr.write(`${err.stack}\n`);
  if (isUsage) return EXIT_USAGE;
  return err instanceof RuntimeError ? err.exitCode : EXIT_FAILURE;
}

// ---------------------------------------------------------------- value parsers

/** A whole number within [min, max], or a UsageError naming the flag. */
export function parseInteger(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
): number {
  const value = (text ?? "").trim();
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} expects a whole number, got '${text ?? ""}'`);
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`${flag} must be between ${min} and ${max}, got ${value}`);
  return n;
}

/** A TCP port, 1-65535. */
export function parsePort(text: string | undefined, flag = "--port"): number {
  return parseInteger(text, flag, 1, 65535);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "2s", "1.5m", or a bare number in `bareUnit`; returns milliseconds. */
export function parseDuration(
  text: string | undefined,
  flag: string,
  bareUnit: "ms" | "s" = "ms",
): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec((text ?? "").trim());
  if (!match)
    throw new UsageError(`${flag} expects a duration such as 500ms, 2s or 1m, got '${text ?? ""}'`);
  const ms = Number(match[1]) * (DURATION_UNITS[match[2] ?? bareUnit] as number);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} is out of range`);
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};

/** "65536", "64k", "64KiB", "1MiB"; returns bytes. */
export function parseSize(
  text: string | undefined,
  flag: string,
  min = 1,
  max = 1024 ** 3,
): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec((text ?? "").trim());
  const unit = SIZE_UNITS[(match?.[2] ?? "?").toLowerCase()];
  if (!match || unit === undefined)
    throw new UsageError(`${flag} expects a size such as 65536, 64k or 1MiB, got '${text ?? ""}'`);
  const bytes = Number(match[1]) * unit;
  if (bytes < min || bytes > max)
    throw new UsageError(`${flag} must be between ${min} and ${max} bytes, got ${bytes}`);
  return bytes;
}

// ---------------------------------------------------------------- logs

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

/** Resolves with the name of the first SIGINT or SIGTERM: a server's cue to stop cleanly. */
export function untilSignal(): Promise<"SIGINT" | "SIGTERM"> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}
