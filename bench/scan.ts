// Scan benchmark: tp-scan against `nmap -sT -T4` and `-T5` over the whole loopback range (exact
// result checked against `ss -ltn`), on the lab host (closed + filtered + open, and all filtered),
// and a concurrency x timeout sweep on the lab host.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { canConnect } from "../scripts/lib/net.ts";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { parseSsListening, ssListening } from "../scripts/lib/ss.ts";
import { type BenchLab, openLab } from "./lab.ts";
import {
  diffPorts,
  parseNmapGrepable,
  parseScanJsonStates,
  parseScanJsonTimeout,
  scoreStates,
} from "./lib/parse.ts";
import { summarize } from "./lib/stats.ts";
import type { ScanCase, ScanResults, ScanTool, Sweep, SweepPoint } from "./lib/types.ts";

export interface ScanOptions {
  runs: number;
  quick: boolean;
  /** Run the lab cases and the sweep (needs root, ip, iptables and scripts/lab.sh). */
  lab: boolean;
  log: (line: string) => void;
}

interface ToolSpec {
  name: string;
  ours: boolean;
  argv(host: string, ports: string): string[];
  /** Open ports from the tool's stdout. */
  parse(stdout: string): number[];
}

const NMAP_INSTALL = "nmap is not installed (`apt-get install -y nmap`): its runs were skipped.";

export function parseCommaList(stdout: string): number[] {
  const text = stdout.trim();
  if (text === "") return [];
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}

function tools(quick: boolean): { specs: ToolSpec[]; notes: string[] } {
  const notes: string[] = [];
  const specs: ToolSpec[] = [];
  const exe = join(ROOT, "tp-scan");
  if (existsSync(exe)) {
    specs.push({
      name: "tp-scan",
      ours: true,
      argv: (host, ports) => [exe, host, "-p", ports, "--list"],
      parse: parseCommaList,
    });
  } else notes.push("./tp-scan is not built (run `bun run build`): only the peers were measured.");
  if (Bun.which("nmap")) {
    // --quick keeps only -T5, the peer the targets are measured against.
    for (const t of quick ? ["T5"] : ["T4", "T5"]) {
      specs.push({
        name: `nmap -sT -${t}`,
        ours: false,
        argv: (host, ports) => [
          "nmap",
          "-sT",
          `-${t}`,
          "-n",
          "-Pn",
          "--open",
          "-p",
          ports,
          "-oG",
          "-",
          host,
        ],
        parse: parseNmapGrepable,
      });
    }
  } else notes.push(NMAP_INSTALL);
  return { specs, notes };
}

/** Poll `ss -ltn` every `everyMs` until stopped: every port seen listening meanwhile. */
function ssWatcher(target: string, everyMs: number): { stop(): Promise<Set<number>> } {
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
function ownListeners(count: number): { ports: number[]; stop(): void } {
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

interface Verdict {
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
async function verifyLoopback(
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

async function loopbackCase(opts: ScanOptions): Promise<ScanCase> {
  const { specs, notes } = tools(opts.quick);
  const ports = 65535;
  const own = ownListeners(16);
  const runsBy = new Map<
    string,
    { wall: number[]; exact: boolean[]; details: string[]; timedOut: number }
  >();
  try {
    for (let r = 0; r < opts.runs; r++) {
      const order = r % 2 === 0 ? specs : [...specs].reverse();
      for (const spec of order) {
        const before = ssListening("127.0.0.1");
        const watcher = ssWatcher("127.0.0.1", 100);
        const res = await runCommand(spec.argv("127.0.0.1", "1-65535"), { timeoutMs: 120_000 });
        const seen = await watcher.stop();
        const after = ssListening("127.0.0.1");
        const entry = runsBy.get(spec.name) ?? { wall: [], exact: [], details: [], timedOut: 0 };
        if (res.timedOut || res.code !== 0) {
          entry.timedOut += res.timedOut ? 1 : 0;
          entry.details.push(
            `run ${r + 1}: ${res.timedOut ? "stopped at the time limit" : `exit ${res.code}: ${res.stderr.trim().split("\n")[0]}`}`,
          );
          entry.exact.push(false);
        } else {
          const found = spec.parse(res.stdout);
          const v = await verifyLoopback(found, before, after, seen);
          entry.wall.push(res.wallMs);
          entry.exact.push(v.exact);
          if (v.detail) entry.details.push(`run ${r + 1}: ${v.detail}`);
          opts.log(
            `scan loopback ${spec.name} run ${r + 1}/${opts.runs}: ${(res.wallMs / 1000).toFixed(2)} s, ${found.length} open, ${v.exact ? "exact" : `NOT exact (${v.detail})`}`,
          );
        }
        runsBy.set(spec.name, entry);
      }
    }
  } finally {
    own.stop();
  }
  const results: ScanTool[] = specs.map((spec) => {
    const e = runsBy.get(spec.name) ?? { wall: [], exact: [], details: [], timedOut: 0 };
    return {
      name: spec.name,
      ours: spec.ours,
      wallMs: summarize(e.wall),
      portsPerSec: summarize(e.wall.map((w) => (ports * 1000) / w)),
      exact: e.exact.length ? e.exact.every(Boolean) : null,
      runs: e.exact.length,
      timedOut: e.timedOut,
      details: e.details,
    };
  });
  return {
    id: "loopback",
    title: "Full loopback range (1-65535 on 127.0.0.1)",
    ports,
    tools: results,
    notes,
  };
}

/** Scan lab ports with each tool and check against the lab's known layout. */
async function labCase(
  lab: BenchLab,
  id: "lab-mixed" | "lab-filtered",
  opts: ScanOptions,
): Promise<ScanCase> {
  const layout = id === "lab-mixed" ? lab.mixed : lab.filtered;
  const { specs, notes } = tools(opts.quick);
  const title =
    id === "lab-mixed"
      ? `Lab host: ${layout.closed} closed, ${layout.filtered} filtered, ${layout.open.length} open (${layout.ports} ports)`
      : `Lab host: all ${layout.ports} ports filtered`;
  // nmap -T4 on an all-filtered range takes minutes (202 s measured): bound it and say so.
  const limitMs = id === "lab-filtered" ? 30_000 : 60_000;
  const results: ScanTool[] = [];
  // nmap on an all-filtered range is slow by design: one bounded run (none in --quick).
  const runsFor = (spec: ToolSpec) =>
    id === "lab-filtered" && !spec.ours ? (opts.quick ? 0 : 1) : opts.runs;
  const acc = new Map<
    string,
    { wall: number[]; exact: boolean[]; details: string[]; timedOut: number }
  >();
  const maxRuns = Math.max(...specs.map(runsFor), 0);
  for (let r = 0; r < maxRuns; r++) {
    const order = r % 2 === 0 ? specs : [...specs].reverse();
    for (const spec of order) {
      if (r >= runsFor(spec)) continue;
      const e = acc.get(spec.name) ?? { wall: [], exact: [], details: [], timedOut: 0 };
      const res = await runCommand(lab.lab.exec(spec.argv(lab.host, layout.range)), {
        timeoutMs: limitMs,
      });
      if (res.timedOut) {
        e.timedOut++;
        opts.log(`scan ${id} ${spec.name} run ${r + 1}: stopped at ${limitMs / 1000} s`);
      } else if (res.code !== 0) {
        e.details.push(`run ${r + 1}: exit ${res.code}: ${res.stderr.trim().split("\n")[0]}`);
        e.exact.push(false);
      } else {
        const found = spec.parse(res.stdout);
        const { missed, extra } = diffPorts(found, layout.open);
        const exact = missed.length === 0 && extra.length === 0;
        if (!exact)
          e.details.push(
            `run ${r + 1}: missed ${missed.join(",") || "none"}, false open ${extra.join(",") || "none"}`,
          );
        e.wall.push(res.wallMs);
        e.exact.push(exact);
        opts.log(
          `scan ${id} ${spec.name} run ${r + 1}: ${(res.wallMs / 1000).toFixed(2)} s, ${found.length} open, ${exact ? "exact" : "NOT exact"}`,
        );
      }
      acc.set(spec.name, e);
    }
  }
  for (const spec of specs) {
    const e = acc.get(spec.name) ?? { wall: [], exact: [], details: [], timedOut: 0 };
    results.push({
      name: spec.name,
      ours: spec.ours,
      wallMs: summarize(e.timedOut && e.wall.length === 0 ? [] : e.wall),
      portsPerSec: summarize(e.wall.map((w) => (layout.ports * 1000) / w)),
      exact: e.exact.length ? e.exact.every(Boolean) : null,
      runs: e.exact.length + e.timedOut,
      timedOut: e.timedOut,
      limitMs,
      details: e.details,
    });
  }
  if (id === "lab-filtered" && specs.some((s) => !s.ours))
    notes.push(
      `nmap runs once here, stopped at ${limitMs / 1000} s (the scan issue measured 202 s for -T4).`,
    );
  return { id, title, ports: layout.ports, tools: results, notes };
}

export async function runScanBench(opts: ScanOptions): Promise<ScanResults> {
  const notes: string[] = [];
  const cases: ScanCase[] = [await loopbackCase(opts)];
  const sweeps: Sweep[] = [];
  if (!opts.lab) {
    sweeps.push({
      title: SWEEP_TITLE,
      points: [],
      notes: [],
      skipped: "lab cases not run (--no-lab)",
    });
    return { notes, cases, sweeps };
  }
  let lab: BenchLab;
  try {
    lab = await openLab();
  } catch (error) {
    const why = (error as Error).message;
    notes.push(`Lab host cases skipped: ${why}`);
    sweeps.push({ title: SWEEP_TITLE, points: [], notes: [], skipped: why });
    return { notes, cases, sweeps };
  }
  try {
    cases.push(await labCase(lab, "lab-mixed", opts));
    cases.push(await labCase(lab, "lab-filtered", opts));
    sweeps.push(await runSweep(lab, opts, null));
    if (!opts.quick) sweeps.push(await runSweep(lab, opts, SHAPED_RATE));
  } finally {
    await lab.lab.destroy();
  }
  return { notes, cases, sweeps };
}

const SWEEP_TITLE = "Sweep: concurrency x timeout on the lab host (tp-scan, mixed layout)";
/** The lab's loopback shaped to a slow link (tbf; this kernel has no netem) for the second sweep. */
const SHAPED_RATE = "5mbit";

async function runSweep(lab: BenchLab, opts: ScanOptions, rate: string | null): Promise<Sweep> {
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
