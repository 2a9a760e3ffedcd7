// The hand-off to nmap (`tp-scan TARGETS -- NMAP-ARGS`): as each host is done, run
// `nmap -p <its open ports> NMAP-ARGS <host>` with nmap's output streamed as it comes. One
// nmap at a time, in the order hosts finish, so their outputs do not interleave; none for a
// host with nothing open.
import { RuntimeError, UsageError } from "../../shared/errors.ts";
import type { HostResult } from "../model/results.ts";
import { portsIn } from "./document.ts";

export interface Handoff {
  host(result: HostResult): void;
  /** Wait for every nmap run; the worst exit status of them (0 when all succeeded). */
  done(): Promise<number>;
}

/** The nmap command line for one host, or null when it has no open port. */
export function nmapArgv(nmap: string, host: HostResult, extra: string[]): string[] | null {
  const open = portsIn(host, "open");
  if (open.length === 0) return null;
  const family = host.target.family === 6 && !extra.includes("-6") ? ["-6"] : [];
  return [nmap, "-p", open.join(","), ...family, ...extra, host.target.address];
}

export function startHandoff(extra: string[], warn: (line: string) => void): Handoff {
  const nmap = Bun.which("nmap");
  if (!nmap)
    throw new RuntimeError("nmap is not installed (needed after '--'; apt-get install nmap)");
  let chain: Promise<number> = Promise.resolve(0);
  return {
    host(result) {
      const argv = nmapArgv(nmap, result, extra);
      if (!argv) return;
      chain = chain.then(async (worst) => {
        const child = Bun.spawn(argv, { stdin: "ignore", stdout: "inherit", stderr: "inherit" });
        const code = await child.exited;
        if (code !== 0) warn(`nmap exited with status ${code} for ${result.target.address}`);
        return Math.max(worst, code);
      });
    },
    done: () => chain,
  };
}

// nmap options that name targets of their own: the hand-off gives nmap each host itself.
const TARGET_OPTIONS = new Set(["-iL", "-iR", "--exclude", "--excludefile", "--resume"]);
// Options that write files: left out of the check run, which must not create or truncate them.
const FILE_OUTPUT = /^--?(o[NXSGMA]|append-output)(=|$)/;
/** Past this the check run is given up (with -sC, nmap loads its scripts in ~1 s here). */
const CHECK_TIMEOUT_MS = 30_000;

/** NMAP-ARGS as the check run passes them: every output file option left out. */
function withoutOutputs(extra: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < extra.length; i++) {
    const word = extra[i] as string;
    const output = FILE_OUTPUT.exec(word);
    // A value-less option at the end stays: nmap then says it needs an argument.
    if (!output || (output[2] === "" && i === extra.length - 1)) kept.push(word);
    else if (output[2] === "" && output[1] !== "append-output") i++;
  }
  return kept;
}

/** The line of nmap's stderr that says what is wrong (its paths and boilerplate left out). */
export function nmapComplaint(stderr: string): string {
  const noise =
    /^(WARNING: No targets|See the output of nmap|QUITTING!|stack traceback|Starting Nmap)/;
  const lines = stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "" && !/^\s/.test(l) && !noise.test(l));
  // NSE: "failed to initialize the script engine:" then "/path/nse_main.lua:833: the reason".
  return lines
    .slice(0, 2)
    .map((l) => l.replace(/^\S+\.lua:\d+: /, "").replace(/^\S*\/nmap: /, "nmap: "))
    .join(" ");
}

/**
 * Check NMAP-ARGS before the scan (UsageError when nmap refuses them): nmap reads them with a
 * port list and no target (every address excluded), so it parses every option, loads what they
 * name (scripts, data files) and scans nothing.
 */
export async function checkNmapArgs(extra: string[]): Promise<void> {
  const option = (word: string) => word.split("=")[0] as string;
  const named = extra.find((word) => TARGET_OPTIONS.has(option(word)));
  if (named !== undefined)
    throw new UsageError(
      `nmap's ${option(named)} after '--' names targets of its own: tp-scan gives nmap each host it found open ports on`,
    );
  const ports = extra.find((word) => /^-p/.test(word));
  if (ports !== undefined)
    throw new UsageError(
      `nmap's ${ports} after '--': tp-scan gives nmap -p itself, each host's open ports (choose the ports to scan with tp-scan's -p)`,
    );
  const nmap = Bun.which("nmap");
  if (!nmap)
    throw new RuntimeError("nmap is not installed (needed after '--'; apt-get install nmap)");
  const argv = [nmap, "-p", "1", ...withoutOutputs(extra), "--exclude", "0.0.0.0/0,::/0"];
  const child = Bun.spawn(argv, {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    timeout: CHECK_TIMEOUT_MS,
  });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code === 0) return;
  if (child.signalCode !== null)
    throw new RuntimeError(
      `nmap did not finish reading the arguments after '--' within ${CHECK_TIMEOUT_MS / 1000} s`,
    );
  throw new UsageError(
    `nmap refuses the arguments after '--': ${nmapComplaint(stderr) || `exit status ${code}`}`,
  );
}
