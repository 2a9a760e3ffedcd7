// Run the compiled executables (./tp-echo, ./tp-guess, ./tp-scan) the way a user does.
import { exePath } from "../../scripts/lib/root.ts";
import { type Child, type CommandResult, runCommand, spawnChild } from "../../scripts/lib/run.ts";

/** Run an executable to completion (bounded by `timeoutMs`), feeding `stdin` if given. */
export function runExe(
  name: string,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CommandResult> {
  return runCommand([exePath(name), ...args], opts);
}

/** Start an executable (a server, a client to talk to), its stdin a pipe. */
export function spawnExe(name: string, args: string[], env: Record<string, string> = {}): Child {
  return spawnChild([exePath(name), ...args], env);
}
