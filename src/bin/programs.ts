// The three programs of the one multi-call executable `tp-net`, and how an invocation picks
// one: by the name it was started as (tp-scan, tp-scan.exe, /usr/bin/tp-echo) or by its first
// argument (`tp-net scan ...`). Each program's code is imported only when that program runs,
// so tp-echo does not pay for the scanner's set-up at start.
import { type CommandDef, defineCommand } from "citty";
import { allowExtraPositionals, runCli, VERSION } from "../shared/cli.ts";

// biome-ignore lint/suspicious/noExplicitAny: citty's command tree is heterogeneous by design.
type AnyCommand = CommandDef<any>;

export const PROGRAMS = ["tp-echo", "tp-guess", "tp-scan"] as const;
export type ProgramName = (typeof PROGRAMS)[number];
export const MULTICALL_NAME = "tp-net";

export type Invocation =
  | { program: ProgramName; args: string[] }
  | { program: typeof MULTICALL_NAME; args: string[] };

/** `/usr/local/bin/tp-scan`, `C:\tp\TP-SCAN.EXE` -> `tp-scan`. */
export function commandName(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? "";
  return base.replace(/\.exe$/i, "").toLowerCase();
}

function asProgram(name: string): ProgramName | undefined {
  return (PROGRAMS as readonly string[]).find((p) => p === name || p === `tp-${name}`) as
    | ProgramName
    | undefined;
}

/**
 * Which program to run. `startedAs` are the names the process may have been started as, most
 * telling first (argv[0] keeps a symlink's name; the executable's path keeps a hard link's).
 */
export function resolveInvocation(startedAs: string[], args: string[]): Invocation {
  for (const path of startedAs) {
    const program = (PROGRAMS as readonly string[]).includes(commandName(path))
      ? (commandName(path) as ProgramName)
      : undefined;
    if (program) return { program, args };
  }
  const first = args[0];
  const program = first === undefined ? undefined : asProgram(first);
  if (program) return { program, args: args.slice(1) };
  return { program: MULTICALL_NAME, args };
}

async function echoCommand(): Promise<AnyCommand> {
  const [{ default: serve }, { default: client }] = await Promise.all([
    import("../echo/commands/serve.ts"),
    import("../echo/commands/client.ts"),
  ]);
  return { ...serve, subCommands: { client } };
}

function guessCommand(): AnyCommand {
  return defineCommand({
    meta: {
      name: "tp-guess",
      version: VERSION,
      description:
        "Guess-the-number game over TCP: a server, a bot that plays it alone, a human client",
    },
    subCommands: {
      server: () => import("../guess/commands/server.ts").then((m) => m.default),
      bot: () => import("../guess/commands/bot.ts").then((m) => m.default),
      play: () => import("../guess/commands/play.ts").then((m) => m.default),
    },
  });
}

/** `entryUrl`: the running entry point; the scan Workers start from scan-worker.ts beside it. */
async function scanCommand(entryUrl: string): Promise<AnyCommand> {
  const [{ scanCommand }, { setWorkerEntry }] = await Promise.all([
    import("../scan/commands/scan.ts"),
    import("../scan/engine/engine.ts"),
  ]);
  setWorkerEntry(new URL("./scan-worker.ts", entryUrl));
  return allowExtraPositionals({ ...scanCommand });
}

export async function programCommand(name: ProgramName, entryUrl: string): Promise<AnyCommand> {
  if (name === "tp-echo") return echoCommand();
  if (name === "tp-guess") return guessCommand();
  return scanCommand(entryUrl);
}

const multiCallCommand = defineCommand({
  meta: {
    name: MULTICALL_NAME,
    version: VERSION,
    description: `The lab's three programs in one executable; also started as ${PROGRAMS.join(", ")}`,
  },
  subCommands: {
    echo: () => echoCommand(),
    guess: () => guessCommand(),
    // Listed for --help only: `tp-net scan` is dispatched before citty sees it.
    scan: () => import("../scan/commands/scan.ts").then((m) => m.scanCommand),
  },
});

/** `tp-scan completion bash|zsh|fish` prints a script; the script calls `tp-scan complete -- ...`. */
const COMPLETION_COMMANDS = ["complete", "completion"];

/**
 * Give `command` its completion subcommands, generated from its citty definition by
 * @bomb.sh/tab (loaded only when asked for: it walks, and so imports, the whole command tree).
 */
async function withCompletion(command: AnyCommand): Promise<AnyCommand> {
  const { default: tab } = await import("@bomb.sh/tab/citty");
  // tab adds `complete` to the command's own subcommands (each program's tree is built fresh).
  await tab(command);
  const subs = command.subCommands as Record<string, AnyCommand>;
  const complete = subs.complete as AnyCommand;
  // `complete -- tp-scan -p 80 --` passes every word typed so far.
  allowExtraPositionals(complete);
  subs.completion = complete;
  return command;
}

export async function runProgram(
  name: ProgramName | typeof MULTICALL_NAME,
  args: string[],
  entryUrl: string,
): Promise<void> {
  // `tp-scan merge FILE...`: a command of its own (its positionals are files, not hosts).
  if (name === "tp-scan" && args[0] === "merge") {
    const { mergeCommand } = await import("../scan/commands/merge.ts");
    await runCli(mergeCommand, args.slice(1));
    return;
  }
  if (name === "tp-scan" && (args[0] === "diff" || args[0] === "history")) {
    const command =
      args[0] === "diff"
        ? (await import("../scan/commands/diff.ts")).diffCommand
        : (await import("../scan/commands/history.ts")).historyCommand;
    await runCli(command, args.slice(1));
    return;
  }
  let command = name === MULTICALL_NAME ? multiCallCommand : await programCommand(name, entryUrl);
  if (COMPLETION_COMMANDS.includes(args[0] ?? "")) command = await withCompletion(command);
  await runCli(command, args);
}
