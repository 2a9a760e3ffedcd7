// What every entry point does: on the main thread run a program; in a scan Worker (started from
// the running entry point itself, the only script a compiled executable has) serve probes.
import { serveProbes } from "../scan/prober.ts";
import type { ProgramName } from "./programs.ts";

/** `program`: the program this entry point is, or null to pick one from how it was started. */
export async function enter(program: ProgramName | null, entryUrl: string): Promise<void> {
  if (!Bun.isMainThread) {
    serveProbes();
    return;
  }
  const { resolveInvocation, runProgram } = await import("./programs.ts");
  const args = process.argv.slice(2);
  const invocation =
    program === null
      ? resolveInvocation([process.argv0, process.execPath], args)
      : { program, args };
  await runProgram(invocation.program, invocation.args, entryUrl);
}
