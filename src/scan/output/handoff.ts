// The hand-off to nmap (`tp-scan TARGETS -- NMAP-ARGS`): as each host is done, run
// `nmap -p <its open ports> NMAP-ARGS <host>` with nmap's output streamed as it comes. One
// nmap at a time, in the order hosts finish, so their outputs do not interleave; none for a
// host with nothing open.
import { RuntimeError } from "../../shared/errors.ts";
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
