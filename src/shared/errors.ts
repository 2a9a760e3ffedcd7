// The programs' two kinds of failure and their exit codes, and the one way an error is printed:
// one line on stderr, a pointer to --help for usage errors, a stack trace only with TP_DEBUG.

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

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour codes.
export const ANSI = /\u001b\[[0-9;]*m/g;

/** Print an error as one line and return the exit code it deserves. */
export function printError(programName: string, error: unknown, commandPath = programName): number {
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
