// The three programs of the one multi-call executable `tp-net`, and how an invocation picks
// one: by the name it was started as (tp-scan, tp-scan.exe, /usr/bin/tp-echo) or by its first
// argument (`tp-net scan ...`). Each program's code is imported only when that program runs,
// so tp-echo does not pay for the scanner's set-up at start.
import { type CommandDef, defineCommand } from "citty";
import { allowExtraPositionals, runCli, VERSION } from "../shared/cli.ts";
import { completionCommands } from "../shared/completion-command.ts";

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

/** Give `root` its `completion` command (and the hidden `complete` the scripts call). */
function withCompletion(root: AnyCommand, program: string): AnyCommand {
  const { completion, complete } = completionCommands(program, root);
  root.subCommands = { ...(root.subCommands as Record<string, AnyCommand>), completion, complete };
  return root;
}

async function echoCommand(): Promise<AnyCommand> {
  const [{ default: serve }, { default: client }] = await Promise.all([
    import("../echo/commands/serve.ts"),
    import("../echo/commands/client.ts"),
  ]);
  return withCompletion({ ...serve, subCommands: { client } }, "tp-echo");
}

function guessCommand(): AnyCommand {
  return withCompletion(
    defineCommand({
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
    }),
    "tp-guess",
  );
}

/** `entryUrl`: the running entry point; the scan Workers start from scan-worker.ts beside it. */
async function scanCommand(entryUrl: string): Promise<AnyCommand> {
  const [{ scanCommand }, { setWorkerEntry }] = await Promise.all([
    import("../scan/commands/scan.ts"),
    import("../scan/engine/engine.ts"),
  ]);
  setWorkerEntry(new URL("./scan-worker.ts", entryUrl));
  // `tp-scan merge FILE...`: its positionals are files, not hosts (a host named "merge" is
  // not one: that word is the command).
  const merge = () => import("../scan/commands/merge.ts").then((m) => m.mergeCommand);
  return withCompletion(
    allowExtraPositionals({ ...scanCommand, subCommands: { merge } }),
    "tp-scan",
  );
}

export async function programCommand(name: ProgramName, entryUrl: string): Promise<AnyCommand> {
  if (name === "tp-echo") return echoCommand();
  if (name === "tp-guess") return guessCommand();
  return scanCommand(entryUrl);
}

const multiCallCommand = withCompletion(
  defineCommand({
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
  }),
  MULTICALL_NAME,
);

export async function runProgram(
  name: ProgramName | typeof MULTICALL_NAME,
  args: string[],
  entryUrl: string,
): Promise<void> {
  const command = name === MULTICALL_NAME ? multiCallCommand : await programCommand(name, entryUrl);
  await runCli(command, args);
}
