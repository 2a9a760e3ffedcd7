// The argv runner shared by the three programs: strict flag checking (citty alone accepts
// unknown flags silently), --help and --version handled once, every failure through printError.
import { type ArgsDef, runCommand } from "citty";
import {
  type AnyCommand,
  aliasesOf,
  isVariadic,
  kebab,
  resolveValue as resolve,
} from "./command-tree.ts";
import { EXIT_USAGE, printError, UsageError } from "./errors.ts";
import { renderHelp, versionLine } from "./help.ts";
import { exitIfBrokenPipe, exitQuietlyOnBrokenPipe } from "./stdout.ts";

// Where the commands have always found them (src/scan/commands imports them from here).
export { allowExtraPositionals } from "./command-tree.ts";
export { VERSION } from "./version.ts";

interface FlagSpec {
  takesValue: boolean;
}

function flagTable(args: ArgsDef): Map<string, FlagSpec> {
  const table = new Map<string, FlagSpec>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const spec = { takesValue: def.type === "string" || def.type === "enum" };
    for (const n of [name, kebab(name), ...aliasesOf(def)]) table.set(n, spec);
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
  if (positionals > positionalCount && !isVariadic(cmd)) {
    throw new UsageError(`unexpected argument '${argv.filter((a) => !a.startsWith("-")).at(-1)}'`);
  }
}

/**
 * nmap's short flags of two letters (-iL, -Pn): citty reads "-iL" as -i -L, so hand it the
 * alias as a long flag ("--iL"), which it maps back to the argument.
 */
function longShortFlags(args: ArgsDef, argv: string[]): string[] {
  const names = new Set<string>();
  for (const def of Object.values(args))
    for (const a of aliasesOf(def)) if (a.length > 1) names.add(a);
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
  const ownArgs = beforeDoubleDash(rawArgs);
  // `--version` alone, after any subcommand names: the same answer everywhere.
  if (
    ownArgs.includes("--version") &&
    ownArgs.every((a) => a === "--version" || !a.startsWith("-"))
  ) {
    console.log(versionLine(programName));
    return;
  }
  let at: Chosen = { cmd: main, path: mainMeta.name ?? programName, argv: rawArgs };
  try {
    at = await chooseCommand(at);
    const { cmd, argv } = at;
    const own = beforeDoubleDash(argv);
    const unknown = cmd.run ? undefined : own.find((a) => !a.startsWith("-"));
    if (unknown !== undefined) throw new UsageError(`unknown command '${unknown}'`);
    if (!cmd.run || own.includes("--help") || own.includes("-h")) {
      console.log(await renderHelp(cmd, at.path, programName));
      // A program of subcommands run bare: its help, as a usage error.
      if (!cmd.run && argv.length === 0) process.exitCode = EXIT_USAGE;
      return;
    }
    const args = await resolve(cmd.args ?? {});
    checkArgv(cmd, args, argv);
    // The walk above chose the command: citty must not look for subcommands again (a scan
    // target is no command name).
    await runCommand({ ...cmd, subCommands: undefined }, { rawArgs: longShortFlags(args, argv) });
  } catch (error) {
    exitIfBrokenPipe(error);
    process.exitCode = printError(programName, error, at.path);
  }
}

/** A command reached from the argv: `path` ("tp-guess bot") is where a usage hint points. */
interface Chosen {
  cmd: AnyCommand;
  path: string;
  argv: string[];
}

/** Walk down to the subcommand the user named (its name taken out of the argv). */
async function chooseCommand(from: Chosen): Promise<Chosen> {
  let { cmd, path, argv } = from;
  for (;;) {
    const subs = await resolve(cmd.subCommands);
    if (!subs || Object.keys(subs).length === 0) return { cmd, path, argv };
    const first = firstPositional(argv, flagTable(await resolve(cmd.args ?? {})));
    const name = first >= 0 ? argv[first] : undefined;
    const sub = name !== undefined ? subs[name] : undefined;
    if (!sub) return { cmd, path, argv };
    path += ` ${name}`;
    cmd = await resolve(sub);
    argv = argv.slice(0, first).concat(argv.slice(first + 1));
  }
}
