// The concurrency x timeout sweep of tp-scan on the lab's mixed layout: the share of ports given
// their true state and the wall time at each point, on the plain lab loopback and on one shaped
// to a slow link.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import type { BenchLab } from "./lab.ts";
import { parseScanJsonStates, parseScanJsonTimeout, scoreStates } from "./lib/parse.ts";
import type { Sweep, SweepPoint } from "./lib/types.ts";

export const SWEEP_TITLE = "Sweep: concurrency x timeout on the lab host (tp-scan, mixed layout)";
/** The lab's loopback shaped to a slow link (tbf; this kernel has no netem) for the second sweep. */
export const SHAPED_RATE = "5mbit";

export async function runSweep(
  lab: BenchLab,
  opts: { quick: boolean; log: (line: string) => void },
  rate: string | null,
): Promise<Sweep> {
  const exe = join(ROOT, "tp-scan");
  const title =
    rate === null
      ? SWEEP_TITLE
      : `${SWEEP_TITLE}, loopback shaped to ${rate.replace("mbit", " Mbit/s")}`;
  if (!existsSync(exe)) return { title, points: [], notes: [], skipped: "./tp-scan is not built" };
  const layout = lab.mixed;
  const concurrencies = opts.quick ? [500] : [100, 500, 2000, 5000];
  // null = the default adaptive timeout (no -t).
  const timeouts: (number | null)[] = opts.quick ? [null] : [5, 20, 100, 500, null];
  const points: SweepPoint[] = [];
  const notes: string[] = [];
  if (rate !== null) {
    const shaped = await lab.lab.shape(rate);
    if (!shaped) return { title, points, notes, skipped: "tc could not shape the lab's loopback" };
  }
  try {
    for (const c of concurrencies) {
      for (const t of timeouts) {
        const argv = lab.lab.exec([
          exe,
          lab.host,
          "-p",
          layout.range,
          "-c",
          String(c),
          ...(t === null ? [] : ["-t", `${t}ms`]),
          "--json",
          "--show",
          "closed,filtered",
        ]);
        const res = await runCommand(argv, { timeoutMs: 60_000 });
        const label = `${rate ? `${rate} ` : ""}c=${c} t=${t === null ? "adaptive" : `${t}ms`}`;
        if (res.code !== 0) {
          opts.log(
            `sweep ${label}: ${res.timedOut ? "stopped at 60 s" : `exit ${res.code}: ${res.stderr.trim().split("\n")[0]}`}`,
          );
          continue;
        }
        const states = parseScanJsonStates(res.stdout);
        const point: SweepPoint = {
          concurrency: c,
          timeoutMs: t,
          settledTimeoutMs: t === null ? parseScanJsonTimeout(res.stdout) : t,
          wallMs: res.wallMs,
          ...scoreStates(states, layout.first, layout.last, layout.stateOf),
        };
        points.push(point);
        opts.log(
          `sweep ${label}: ${(res.wallMs / 1000).toFixed(2)} s, accuracy ${(point.accuracy * 100).toFixed(1)}% (open ${point.open}, closed ${point.closed}, filtered ${point.filtered})`,
        );
      }
    }
  } finally {
    if (rate !== null) await lab.lab.shape(null);
  }
  if (rate === null)
    notes.push(
      "On a loopback every answer (SYN-ACK or RST) comes back within the connect() call itself, so no timeout in the grid is too short here: the timeout only sets what the 1000 filtered ports cost (wall time grows with -t and shrinks with -c; each filtered port waits out its try and a retry).",
    );
  else
    notes.push(
      `Shaped with \`tc qdisc add dev lo root tbf rate ${rate}\` inside the lab namespace: probes queue behind each other, so the round trip grows with the concurrency. A fixed timeout shorter than that queue turns open and closed ports into filtered ones; the adaptive default measures the round trip and stays exact.`,
    );
  return {
    title,
    points,
    notes,
    expected: { open: layout.open.length, closed: layout.closed, filtered: layout.filtered },
  };
}
