// What every entry point does: run a program (the scan Workers have their own entry point,
// scan-worker.ts).
import type { ProgramName } from "./programs.ts";

/** `program`: the program this entry point is, or null to pick one from how it was started. */
export async function enter(program: ProgramName | null, entryUrl: string): Promise<void> {
  const { resolveInvocation, runProgram } = await import("./programs.ts");
  const args = process.argv.slice(2);
  const invocation =
    program === null
      ? resolveInvocation([process.argv0, process.execPath], args)
      : { program, args };
  await runProgram(invocation.program, invocation.args, entryUrl);
}
