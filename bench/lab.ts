// The scanner's test lab (scripts/lab.sh + scripts/listeners.ts, written with tp-scan) seen from
// the bench: one network namespace whose loopback holds both cases,
//   mixed:    20000-22009: 21000-21999 SYN-dropped (filtered), 5 listeners, the rest closed
//   filtered: 30000-32000: every SYN dropped (2001 ports)
// Commands run inside it with `ip netns exec`, so all traffic stays on that namespace's loopback.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { StreamReader } from "../test/helpers/exe.ts";
import { ROOT, runCommand } from "./proc.ts";

export type PortState = "open" | "closed" | "filtered";

export interface LabLayout {
  /** The -p argument covering the case, e.g. "20000-22009". */
  range: string;
  ports: number;
  open: number[];
  closed: number;
  filtered: number;
  /** True state of a port of the range. */
  stateOf(port: number): PortState;
  first: number;
  last: number;
}

export interface Lab {
  name: string;
  host: string;
  exec(argv: string[]): string[];
  mixed: LabLayout;
  filtered: LabLayout;
  close(): Promise<void>;
  /** Shape the namespace's loopback to `rate` (tbf), or remove the shaping (null). */
  shape(rate: string | null): Promise<boolean>;
}

function layout(
  first: number,
  last: number,
  dropFirst: number,
  dropLast: number,
  open: number[],
): LabLayout {
  const ports = last - first + 1;
  const filtered = Math.max(0, Math.min(last, dropLast) - Math.max(first, dropFirst) + 1);
  return {
    range: `${first}-${last}`,
    ports,
    open,
    filtered,
    closed: ports - filtered - open.length,
    first,
    last,
    stateOf: (p) =>
      p >= dropFirst && p <= dropLast ? "filtered" : open.includes(p) ? "open" : "closed",
  };
}

export const MIXED = layout(20000, 22009, 21000, 21999, [20001, 20500, 20999, 22000, 22009]);
export const ALL_FILTERED = layout(30000, 32000, 30000, 32000, []);

/** Build the lab, or throw saying why it cannot be built here (not root, no iptables, no script). */
export async function openLab(): Promise<Lab> {
  const script = join(ROOT, "scripts/lab.sh");
  const listenersTs = join(ROOT, "scripts/listeners.ts");
  if (!existsSync(script) || !existsSync(listenersTs))
    throw new Error("scripts/lab.sh is not there (it lands with tp-scan)");
  const check = await runCommand(["bash", script, "check"], { timeoutMs: 15_000 });
  if (check.code !== 0)
    throw new Error(
      (check.stdout + check.stderr).trim().split("\n")[0] || "scripts/lab.sh check failed",
    );
  await runCommand(["bash", script, "gc"], { timeoutMs: 15_000 });
  const name = `tplab-${process.pid}-bench`;
  const up = await runCommand(
    [
      "bash",
      script,
      "up",
      name,
      "--drop",
      `${MIXED.first + 1000}:${MIXED.first + 1999}`,
      "--drop",
      `${ALL_FILTERED.first}:${ALL_FILTERED.last}`,
    ],
    { timeoutMs: 15_000 },
  );
  const down = async () => {
    await runCommand(["bash", script, "down", name], { timeoutMs: 15_000 });
  };
  if (up.code !== 0) {
    await down();
    throw new Error(`scripts/lab.sh up failed: ${up.stderr.trim().split("\n")[0]}`);
  }
  const exec = (argv: string[]) => ["ip", "netns", "exec", name, ...argv];
  const listeners = Bun.spawn(
    exec([process.execPath, listenersTs, "--ports", MIXED.open.join(",")]),
    {
      cwd: ROOT,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const out = new StreamReader(listeners.stdout);
  try {
    await out.waitFor(/^ready/m, 15_000);
  } catch (error) {
    listeners.kill("SIGKILL");
    await down();
    throw new Error(`lab listeners did not start: ${(error as Error).message.split("\n")[0]}`);
  }
  return {
    name,
    host: "127.0.0.1",
    exec,
    mixed: MIXED,
    filtered: ALL_FILTERED,
    async shape(rate) {
      // Only ever inside the lab namespace: never the host's own loopback.
      const argv =
        rate === null
          ? ["tc", "qdisc", "del", "dev", "lo", "root"]
          : [
              "tc",
              "qdisc",
              "replace",
              "dev",
              "lo",
              "root",
              "tbf",
              "rate",
              rate,
              "burst",
              "4kbit",
              "latency",
              "5s",
            ];
      const r = await runCommand(exec(argv), { timeoutMs: 10_000 });
      return r.code === 0;
    },
    async close() {
      listeners.kill("SIGTERM");
      const t = setTimeout(() => listeners.kill("SIGKILL"), 3_000);
      await listeners.exited;
      clearTimeout(t);
      await down();
    },
  };
}
