// The argv runner shared by the three programs: strict flag checking (citty alone accepts
// unknown flags silently), --help and --version handled once, every failure through printError.
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import pkg from "../../package.json" with { type: "json" };
import { ANSI, EXIT_OK, EXIT_USAGE, printError, UsageError } from "./errors.ts";
import { exitIfBrokenPipe, exitQuietlyOnBrokenPipe } from "./stdout.ts";

/** The version of all three programs, from package.json (the one place it is written). */
export const VERSION: string = pkg.version;

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
 * nmap's short flags of two letters (-iL, -Pn): citty reads "-iL" as -i -L, so hand it the
 * alias as a long flag ("--iL"), which it maps back to the argument.
 */
function longShortFlags(args: ArgsDef, argv: string[]): string[] {
  const names = new Set<string>();
  for (const def of Object.values(args)) {
    const alias = "alias" in def ? def.alias : undefined;
    for (const a of alias === undefined ? [] : Array.isArray(alias) ? alias : [alias])
      if (a.length > 1) names.add(a);
  }
  const end = argv.indexOf("--");
  return argv.map((arg, i) =>
    (end < 0 || i < end) && /^-[^-]/.test(arg) && names.has(arg.slice(1).split("=")[0] as string)
      ? `-${arg}`
      : arg,
  );
}

/** Words after `--` belong to another program (tp-scan ... -- NMAP-ARGS): never our flags. */
function beforeDoubleDash(argv: string[]): string[] {
  const end = argv.indexOf("--");
  return end < 0 ? argv : argv.slice(0, end);
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
  exitQuietlyOnBrokenPipe();
  const mainMeta = await resolve(main.meta ?? {});
  // A command run on its own may be named "tp-scan merge": errors still start "tp-scan:".
  const programName = (mainMeta.name ?? "tp").split(" ")[0] as string;
  let cmd: AnyCommand = main;
  let parent: AnyCommand | undefined;
  // "tp-guess bot": where the usage hint should send the user.
  let commandPath = mainMeta.name ?? programName;
  let argv = rawArgs;
  const ownArgs = beforeDoubleDash(rawArgs);
  // `--version` alone, after any subcommand names: the same answer everywhere.
  if (
    ownArgs.includes("--version") &&
    ownArgs.every((a) => a === "--version" || !a.startsWith("-"))
  ) {
    console.log(VERSION);
    return;
  }
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
    const own = beforeDoubleDash(argv);
    if (own.includes("--help") || own.includes("-h")) {
      printUsage(await renderUsage(cmd, parent));
      return;
    }
    const args = await resolve(cmd.args ?? {});
    checkArgv(cmd, args, argv);
    await runCommand(cmd, { rawArgs: longShortFlags(args, argv) });
  } catch (error) {
    exitIfBrokenPipe(error);
    process.exitCode = printError(programName, error, commandPath);
  }
}

/** Help text, without colours when it goes to a file or a pipe, and without trailing blanks. */
function printUsage(text: string): void {
  const plain = process.stdout.isTTY && !process.env.NO_COLOR ? text : text.replace(ANSI, "");
  console.log(`${plain.replace(/[ \t]+$/gm, "")}\n`);
}
