// WAN bench: tp-scan against `nmap -sT -T4` in the WAN lab (scripts/lib/wan.ts), both run in the
// same minutes on the same lab, alternating: many hosts with absent ones, one host at 2% loss
// each way, an RST-rate-limited host, a 2000 packets/s bottleneck, one host at 200 ms. Each case
// scores exactness against the lab's own plan (which ports listen, which drop SYNs). Needs root, TUN and cc (the lab);
// nmap for the peer.

import { parseArgs } from "node:util";
import { ROOT } from "../scripts/lib/root.ts";
import { WanLab, type WanOptions } from "../scripts/lib/wan.ts";
import { alternateRuns } from "./lib/alternate.ts";
import type { RunContext, Section, Target } from "./lib/section.ts";

interface WanCase {
  name: string;
  lab: WanOptions;
  ports: string;
  /** Targets: the live hosts, then the absent addresses. */
  absentToo: boolean;
}

export interface WanToolRun {
  seconds: number;
  /** (host, port) pairs in a state other than the lab's truth. */
  wrong: number;
}

export interface WanCaseResult {
  name: string;
  probes: number;
  tpScan: WanToolRun[];
  nmap: WanToolRun[];
}

export interface WanResults {
  cases: WanCaseResult[];
  notes: string[];
}

function cases(quick: boolean): WanCase[] {
  const many = quick ? 20 : 100;
  return [
    {
      name: `${many} hosts (${many / 10} absent), ports 1-1024, 20 ms`,
      lab: {
        delayMs: 10,
        hosts: Array.from({ length: many - many / 10 }, (_, i) => ({ listen: [22, 80 + (i % 5)] })),
        absent: many / 10,
        interleave: true,
      },
      ports: "1-1024",
      absentToo: true,
    },
    {
      name: "one host, 2% loss each way, 20000 ports, 20 ms",
      lab: { delayMs: 10, lossPct: 2, hosts: [{ listen: [22, 80, 443, 8080, 19999] }] },
      ports: quick ? "1-2000" : "1-20000",
      absentToo: false,
    },
    {
      name: "RST-limited host (200/s), 5000 ports",
      lab: { delayMs: 1, rstPerSecond: 200, hosts: [{ listen: [4242] }] },
      ports: quick ? "1-1000" : "1-5000",
      absentToo: false,
    },
    {
      // Each host's probes are spread over the Workers: each measures its share of the RSTs.
      name: "4 RST-limited hosts (200/s each), 2000 ports",
      lab: {
        delayMs: 1,
        rstPerSecond: 200,
        hosts: Array.from({ length: 4 }, () => ({ listen: [443] })),
      },
      ports: quick ? "1-500" : "1-2000",
      absentToo: false,
    },
    {
      name: "bottleneck (2000 packets/s, 200-packet queue), 5000 ports, 20 ms",
      lab: { delayMs: 10, pps: 2000, queue: 200, hosts: [{ listen: [22, 80, 443, 1234, 4999] }] },
      ports: quick ? "1-1000" : "1-5000",
      absentToo: false,
    },
    {
      name: "one host at 200 ms, 5000 ports",
      lab: { delayMs: 100, hosts: [{ listen: [22, 443] }] },
      ports: quick ? "1-1000" : "1-5000",
      absentToo: false,
    },
  ];
}

function portList(spec: string): number[] {
  const [a, b] = spec.split("-").map(Number) as [number, number];
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** What a tool found on each address: its open ports and how many it called filtered. */
type Found = Map<string, { open: Set<number>; filtered: number }>;

/** From nmap's grepable output (-oG -): listed ports, plus an ignored state's count. */
function nmapFound(stdout: string): Found {
  const out: Found = new Map();
  for (const line of stdout.split("\n")) {
    const m = /^Host: (\S+) .*Ports: (.*)$/.exec(line);
    if (!m) continue;
    const text = m[2] as string;
    const open = [...text.matchAll(/(\d+)\/open\//g)].map((x) => Number(x[1]));
    let filtered = [...text.matchAll(/\d+\/filtered\//g)].length;
    const ignored = /Ignored State: filtered \((\d+)\)/.exec(text);
    if (ignored) filtered += Number(ignored[1]);
    out.set(m[1] as string, { open: new Set(open), filtered });
  }
  return out;
}

/** From tp-scan --json --show filtered. */
function tpFound(stdout: string): Found {
  const doc = JSON.parse(stdout) as {
    targets: Array<{ address: string; ports: Array<{ port: number; state: string }> }>;
  };
  const of = (t: (typeof doc.targets)[number], state: string) =>
    t.ports.filter((p) => p.state === state).map((p) => p.port);
  return new Map(
    doc.targets.map((t) => [
      t.address,
      { open: new Set(of(t, "open")), filtered: of(t, "filtered").length },
    ]),
  );
}

/**
 * Wrong (host, port) states on live hosts: open ports missed or invented, and ports called
 * filtered (the bench's hosts drop no SYN: every port is open or closed).
 */
function wrongStates(lab: WanLab, found: Found, scanned: ReadonlySet<number>): number {
  let wrong = 0;
  for (const h of lab.hosts) {
    const got = found.get(h.address) ?? { open: new Set<number>(), filtered: 0 };
    // A listener outside the scanned ports (the --quick ranges are shorter) is no one's miss.
    for (const p of h.listen) if (scanned.has(p) && !got.open.has(p)) wrong++;
    for (const p of got.open) if (!h.listen.includes(p)) wrong++;
    wrong += got.filtered;
  }
  return wrong;
}

async function timed(argv: string[]): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "ignore", cwd: ROOT });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 900_000);
  const stdout = await new Response(proc.stdout).text();
  await proc.exited;
  clearTimeout(timer);
  return { seconds: (performance.now() - started) / 1000, stdout };
}

/**
 * Idle time before each run of a case whose hosts limit their RSTs: the limiter's bucket refills
 * (burst / rate, plus a margin), so every run starts as a fresh host would. Run back to back, the
 * run after another found the bucket that run had drained: 5000 ports at 200/s took ~25.0 s
 * after a run and ~24.1-24.3 s fresh (floor (4999 - 200) / 200 = 24.0 s), for either tool, and
 * the alternation gave tp-scan the fresh lab in its first run only (0.95x-1.03x by the run).
 */
function refillMs(c: WanCase): number {
  const rate = c.lab.rstPerSecond;
  if (rate === undefined) return 0;
  return ((c.lab.rstBurst ?? rate) / rate) * 1000 + 500;
}

async function runCase(
  c: WanCase,
  runs: number,
  log: (l: string) => void,
  tools: ReadonlyArray<"tp-scan" | "nmap"> = ["tp-scan", "nmap"],
  tpArgs: readonly string[] = [],
) {
  const lab = await WanLab.up(c.lab);
  try {
    const targets = [
      ...lab.hosts.map((h) => h.address),
      ...(c.absentToo ? lab.absentAddresses : []),
    ];
    const scanned = new Set(portList(c.ports));
    const outcomes = await alternateRuns(tools, runs, async (tool) => {
      await Bun.sleep(refillMs(c));
      const argv =
        tool === "tp-scan"
          ? [
              `${ROOT}/tp-scan`,
              ...tpArgs,
              ...targets,
              "-p",
              c.ports,
              "--json",
              "--show",
              "filtered",
            ]
          : ["nmap", "-sT", "-T4", "-n", "-p", c.ports, "-oG", "-", ...targets];
      const r = await timed(lab.scannerCommand(argv));
      const found = tool === "tp-scan" ? tpFound(r.stdout) : nmapFound(r.stdout);
      const run = { seconds: r.seconds, wrong: wrongStates(lab, found, scanned) };
      log(`wan: ${c.name}: ${tool} ${run.seconds.toFixed(1)} s, ${run.wrong} wrong`);
      return run;
    });
    const probes = targets.length * portList(c.ports).length;
    return { name: c.name, probes, tpScan: outcomes[0] ?? [], nmap: outcomes[1] ?? [] };
  } finally {
    await lab.down();
  }
}

export async function runWanBench(ctx: RunContext): Promise<WanResults> {
  const notes: string[] = [];
  const why = await WanLab.unavailableReason();
  if (why || !ctx.lab) return { cases: [], notes: [why ?? "lab cases off (--no-lab)"] };
  if (!Bun.which("nmap")) return { cases: [], notes: ["nmap is not installed: no peer"] };
  const runs = ctx.runs ?? (ctx.quick ? 1 : 3);
  const results: WanCaseResult[] = [];
  for (const c of cases(ctx.quick)) results.push(await runCase(c, runs, ctx.log));
  return { cases: results, notes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function ratio(r: WanCaseResult): number {
  return median(r.tpScan.map((x) => x.seconds)) / median(r.nmap.map((x) => x.seconds));
}

/** A case's goal: at most `max` times nmap's time, at most `maxWrong` ports in a wrong state. */
function caseTarget(
  prefix: string,
  label: string,
  wanted: string,
  max: number,
  maxWrong = 0,
): Target<WanResults> {
  return {
    name: `WAN, ${label}: time vs nmap -sT -T4`,
    wanted,
    check(results) {
      const c = results.cases.find((x) => x.name.includes(prefix));
      if (!c || c.nmap.length === 0) return null;
      const x = ratio(c);
      const worst = Math.max(0, ...c.tpScan.map((r) => r.wrong));
      const exact = worst <= maxWrong;
      return {
        measured: `${x.toFixed(2)}x, ${worst} wrong`,
        pass: x <= max && exact,
      };
    },
  };
}

function render(results: WanResults): string {
  const lines = [
    "| case | tp-scan | nmap -sT -T4 | ratio | wrong (tp-scan / nmap) |",
    "|---|---|---|---|---|",
  ];
  for (const c of results.cases) {
    const t = median(c.tpScan.map((r) => r.seconds));
    const n = median(c.nmap.map((r) => r.seconds));
    const w = `${Math.max(0, ...c.tpScan.map((r) => r.wrong))} / ${Math.max(0, ...c.nmap.map((r) => r.wrong))}`;
    lines.push(
      `| ${c.name} | ${t.toFixed(1)} s | ${n.toFixed(1)} s | ${(t / n).toFixed(2)}x | ${w} |`,
    );
  }
  for (const n of results.notes) lines.push("", `Note: ${n}`);
  return `${lines.join("\n")}\n`;
}

export const wanSection: Section<WanResults> = {
  name: "wan",
  title: "tp-scan vs nmap across the WAN lab",
  targets: [
    caseTarget("hosts", "many hosts, 10% absent", "<= 0.50x, exact", 0.5),
    caseTarget("2% loss", "one host at 2% loss", "<= 0.25x, <= 3 ports wrong", 0.25, 3),
    caseTarget("RST-limited", "RST-limited host", "<= 1.00x, every closed port closed", 1.0),
    caseTarget("200 ms", "one host at 200 ms", "<= 1.00x, exact", 1.0),
    caseTarget("bottleneck", "bottleneck 2000 packets/s", "<= 1.00x, exact", 1.0),
  ],
  render,
  run: runWanBench,
};

// Standalone, for working on one case: bun bench/wan.ts [--quick] [--case TEXT] [--runs N]
// [--tp-only] (TEXT: part of a case's name, e.g. "RST-limited" or "bottleneck").
async function main(argv: string[]): Promise<void> {
  const usage = (message: string) => Object.assign(new Error(message), { usage: true });
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values } = parsed;
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw usage(`--runs: a whole number >= 1, not "${values.runs}"`);
  const chosen = cases(values.quick).filter((x) => !values.case || x.name.includes(values.case));
  if (chosen.length === 0) throw usage(`--case: no case name contains "${values.case}"`);
  const why = await WanLab.unavailableReason();
  if (why) throw new Error(why);
  const tools = values["tp-only"] ? (["tp-scan"] as const) : undefined;
  const results: WanResults = { cases: [], notes: [] };
  // --tp-args "-sS": extra tp-scan flags (e.g. the SYN scan against the same nmap -sT -T4).
  const tpArgs = (values["tp-args"] ?? "").split(" ").filter(Boolean);
  for (const c of chosen) results.cases.push(await runCase(c, runs, console.log, tools, tpArgs));
  console.log(render(results));
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      case: { type: "string" },
      runs: { type: "string", default: "1" },
      "tp-only": { type: "boolean", default: false },
      "tp-args": { type: "string" },
      quick: { type: "boolean", default: false },
    },
  });
}

if (import.meta.main) {
  await main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`bench/wan.ts: ${error.message}`);
    process.exit((error as { usage?: boolean }).usage ? 2 : 1);
  });
}
