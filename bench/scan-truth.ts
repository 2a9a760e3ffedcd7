// Ground truth for the loopback scans: `ss -ltn` polled during a scan, listeners of our own so
// there is always something to find, and the verdict on what a scan found.
import { canConnect } from "../scripts/lib/net.ts";
import { parseSsListening } from "../scripts/lib/ss.ts";
import { diffPorts } from "./lib/parse.ts";

/** Poll `ss -ltn` every `everyMs` until stopped: every port seen listening meanwhile. */
export function ssWatcher(target: string, everyMs: number): { stop(): Promise<Set<number>> } {
  const seen = new Set<number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const proc = Bun.spawn(["ss", "-ltnH"], { stdout: "pipe", stderr: "ignore" });
      const text = await new Response(proc.stdout).text();
      await proc.exited;
      for (const p of parseSsListening(text, target)) seen.add(p);
      await Bun.sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Hold a few listeners of our own during the loopback scans, so there is always something to find. */
export function ownListeners(count: number): { ports: number[]; stop(): void } {
  const listeners = Array.from({ length: count }, () =>
    Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          s.end();
        },
        data() {},
      },
    }),
  );
  return {
    ports: listeners.map((l) => l.port),
    stop: () => {
      for (const l of listeners) l.stop(true);
    },
  };
}

export interface Verdict {
  exact: boolean;
  detail: string | null;
}

/**
 * Compare what a scan found with `ss -ltn` taken before, during (polled) and after it. A missed
 * port that listened before and after and still accepts a connection is a real miss; a reported
 * port never seen listening that refuses a connection now is a false open (a listener shorter
 * than the poll, or a TCP self-connect: the probe's own ephemeral port equal to the target port).
 * Ports that came or went during the scan (other programs on this machine) are only noted.
 */
export async function verifyLoopback(
  found: number[],
  before: number[],
  after: number[],
  seen: Set<number>,
): Promise<Verdict> {
  const stable = before.filter((p) => after.includes(p));
  const known = [...new Set([...before, ...after, ...seen])];
  const { missed } = diffPorts(found, stable);
  const { extra } = diffPorts(found, known);
  const realMissed: number[] = [];
  for (const p of missed) if (await canConnect("127.0.0.1", p)) realMissed.push(p);
  const realExtra: number[] = [];
  for (const p of extra) if (!(await canConnect("127.0.0.1", p))) realExtra.push(p);
  const transient = diffPorts(found, stable).extra.filter((p) => !realExtra.includes(p));
  const parts: string[] = [];
  if (realMissed.length)
    parts.push(`missed ${realMissed.join(",")} (listening before, after and at a re-check)`);
  if (realExtra.length)
    parts.push(
      `reported open ${realExtra.join(",")}, never seen listening (a listener shorter than the ss poll, or a self-connect)`,
    );
  if (missed.length > realMissed.length)
    parts.push(`${missed.length - realMissed.length} listener(s) gone during the scan`);
  if (transient.length)
    parts.push(`${transient.length} listener(s) that came or went during the scan`);
  return {
    exact: realMissed.length === 0 && realExtra.length === 0,
    detail: parts.length ? parts.join("; ") : null,
  };
}
