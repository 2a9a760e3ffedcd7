// Running the system tools the WAN lab is made of (ip, iptables, cc): bounded in time, with
// stdin when given, and failing with the tool's own first error line.
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run argv to completion (killed after timeoutMs); never throws on a non-zero status. */
export async function run(argv: string[], input?: string, timeoutMs = 30_000): Promise<Ran> {
  const proc = Bun.spawn(argv, {
    stdin: input === undefined ? "ignore" : new Blob([input]),
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** Run argv and return its stdout, or throw "<tool>: <first error line>". */
export async function runOk(argv: string[], input?: string, timeoutMs?: number): Promise<string> {
  const ran = await run(argv, input, timeoutMs);
  if (ran.code !== 0) {
    const why = (ran.stderr || ran.stdout).trim().split("\n")[0] || `exit ${ran.code}`;
    throw new Error(`${argv.slice(0, 4).join(" ")}: ${why}`);
  }
  return ran.stdout;
}

/** The path of `tool` on PATH, or null. */
export function which(tool: string): string | null {
  return Bun.which(tool, { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` });
}
