// Running the system tools the WAN lab is made of (ip, iptables, sysctl, cc): bounded in time
// (scripts/lib/run.ts), failing with the tool's own first error line.
import { runCommand } from "../lib/run.ts";

/** Run argv and return its stdout, or throw "<tool>: <first error line>". */
export async function runOk(argv: string[], input?: string, timeoutMs = 30_000): Promise<string> {
  const ran = await runCommand(
    argv,
    input === undefined ? { timeoutMs } : { timeoutMs, stdin: input },
  );
  if (ran.code !== 0) {
    const why = (ran.stderr || ran.stdout).trim().split("\n")[0] || `exit ${ran.code}`;
    throw new Error(`${argv.slice(0, 4).join(" ")}: ${why}`);
  }
  return ran.stdout;
}

/** The path of `tool` on PATH (or the sbin directories root's tools live in), or null. */
export function which(tool: string): string | null {
  return Bun.which(tool, { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` });
}
