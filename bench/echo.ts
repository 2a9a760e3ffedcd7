// Echo benchmark: tp-echo against the node:net peer (bench/peers/echo-node.mjs) at 1, 100 and
// 1000 concurrent clients, plus a pipelined case that shows capacity when the generator is
// relieved. Every run gets a fresh server; ours and the peer alternate so drift hits both.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../scripts/lib/net.ts";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { alternateRuns } from "./lib/alternate.ts";
import { ECHO_TARGETS, renderEcho } from "./lib/echo-report.ts";
import { echoLoadGenerator, type LoadGenerator } from "./lib/loadgen.ts";
import type { Section } from "./lib/section.ts";
import { summarize } from "./lib/stats.ts";
import type { EchoCaseSummary, EchoResults, EchoRun } from "./lib/types.ts";
import { clockTicks, startServer } from "./proc.ts";

export interface EchoOptions {
  runs: number;
  warmupMs: number;
  windowMs: number;
  cases: { clients: number; depth: number }[];
  log: (line: string) => void;
}

interface ServerSpec {
  name: string;
  argv(port: number): string[];
}

const HOST = "127.0.0.1";
const MESSAGE_SIZE = 64;

function servers(nodeAvailable: boolean): { ours: ServerSpec | null; peers: ServerSpec[] } {
  const exe = join(ROOT, "tp-echo");
  const ours = existsSync(exe)
    ? {
        name: "tp-echo",
        argv: (p: number) => [
          exe,
          "--host",
          HOST,
          "--port",
          String(p),
          "--quiet",
          "--max-clients",
          "5000",
        ],
      }
    : null;
  const peers = nodeAvailable
    ? [
        {
          name: "node:net",
          argv: (p: number) => [
            "node",
            join(ROOT, "bench/peers/echo-node.mjs"),
            "--host",
            HOST,
            "--port",
            String(p),
          ],
        },
      ]
    : [];
  return { ours, peers };
}

async function oneRun(
  spec: ServerSpec,
  clients: number,
  depth: number,
  generator: LoadGenerator,
  opts: EchoOptions,
): Promise<EchoRun> {
  const port = await freePort(HOST);
  const server = await startServer(spec.argv(port), { host: HOST, port });
  try {
    const argv = [
      ...generator.argv,
      "--host",
      HOST,
      "--port",
      String(port),
      "--clients",
      String(clients),
      "--size",
      String(MESSAGE_SIZE),
      "--depth",
      String(depth),
      "--warmup-ms",
      String(opts.warmupMs),
      "--duration-ms",
      String(opts.windowMs),
      "--server-pid",
      String(server.pid),
      "--clk-tck",
      String(clockTicks()),
    ];
    const r = await runCommand(argv, { timeoutMs: opts.warmupMs + opts.windowMs + 60_000 });
    if (r.code !== 0)
      throw new Error(
        `load generator failed against ${spec.name} (${r.timedOut ? "time limit" : `exit ${r.code}`}): ${r.stderr.trim().slice(0, 300)}`,
      );
    return JSON.parse(r.stdout) as EchoRun;
  } finally {
    await server.stop();
  }
}

function summarizeCase(
  server: string,
  clients: number,
  depth: number,
  runs: EchoRun[],
): EchoCaseSummary {
  const pick = (f: (r: EchoRun) => number | null) => summarize(runs.map((r) => f(r) ?? Number.NaN));
  return {
    server,
    clients,
    depth,
    runs,
    messagesPerSec: pick((r) => r.messagesPerSec),
    mbPerSec: pick((r) => r.mbPerSec),
    p50Ms: pick((r) => r.p50Ms),
    p99Ms: pick((r) => r.p99Ms),
    loadgenCpu: pick((r) => r.loadgenCpuMs / r.windowMs),
    serverCpu: pick((r) => (r.serverCpuMs === null ? null : r.serverCpuMs / r.windowMs)),
    serverUsPerMessage: pick((r) =>
      r.serverCpuMs === null || r.messages === 0 ? null : (r.serverCpuMs * 1000) / r.messages,
    ),
    rssConnectedKb: pick((r) => r.rssConnectedKb),
    rssPeakKb: pick((r) => r.rssPeakKb),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

export async function runEchoBench(opts: EchoOptions): Promise<EchoResults> {
  const nodeAvailable = Bun.which("node") !== null;
  const { ours, peers } = servers(nodeAvailable);
  const notes: string[] = [];
  if (!ours)
    notes.push("./tp-echo is not built (run `bun run build`): only the peer was measured.");
  if (!nodeAvailable) notes.push("node is not installed: the node:net peer was skipped.");
  const specs = [...(ours ? [ours] : []), ...peers];
  if (specs.length === 0)
    return {
      skipped: "neither ./tp-echo nor node is available",
      notes,
      ours: "tp-echo",
      peers: [],
      cases: [],
    };

  const generator = await echoLoadGenerator();
  // One spec per (case, server), ours and the peer side by side: each pair alternates.
  const jobs = opts.cases.flatMap((c) => specs.map((spec) => ({ ...c, spec })));
  const outcomes = await alternateRuns(jobs, opts.runs, async (job, r) => {
    const run = await oneRun(job.spec, job.clients, job.depth, generator, opts);
    opts.log(
      `echo ${job.spec.name} clients=${job.clients} depth=${job.depth} run ${r + 1}/${opts.runs}: ${Math.round(run.messagesPerSec)} msg/s, p99 ${run.p99Ms.toFixed(2)} ms, errors ${run.errors}`,
    );
    return run;
  });
  const cases = jobs.map((job, i) =>
    summarizeCase(job.spec.name, job.clients, job.depth, outcomes[i] ?? []),
  );
  notes.push(
    generator.kind === "c"
      ? "Load generator: bench/echo-loadgen.c (compiled with cc), the same for every server: one epoll loop, 10-15% less CPU per message than the TypeScript one, so that the generator is not the bottleneck (docs/echo.md)."
      : `Load generator: bench/echo-loadgen.ts (Bun), the same for every server${generator.fallback ? `; the C one could not be used: ${generator.fallback}` : " (BENCH_ECHO_LOADGEN=ts)"}.`,
    `Each run: a fresh server, ${opts.warmupMs} ms warm-up, then a ${opts.windowMs} ms measured window; ${opts.runs} run(s) per figure, median shown (min–max for msg/s). Messages are ${MESSAGE_SIZE}-byte lines; MB/s counts each echoed payload once.`,
    "CPU columns are shares of one core during the window (server from /proc/<pid>/stat, generator from its own CPU time); above 100% means more than one thread (GC, I/O). server µs/msg is server CPU time per message: its cost whoever the bottleneck is.",
    "RSS connected: VmRSS once every client is connected and greeted, before the load; RSS peak: the highest VmRSS sampled every 50 ms under load (worst run).",
  );
  for (const c of cases) {
    if (c.loadgenCpu.median >= 0.9)
      notes.push(
        `${c.server} at ${c.clients} clients${c.depth > 1 ? ` (${c.depth} lines per write)` : ""}: the generator used ${Math.round(c.loadgenCpu.median * 100)}% of a core and the server ${Math.round(c.serverCpu.median * 100)}%: with both cores busy, this msg/s is a floor for the server (its µs/msg is the generator-independent figure).`,
      );
  }
  return { notes, ours: "tp-echo", peers: peers.map((p) => p.name), cases };
}

export const echoSection: Section<EchoResults> = {
  name: "echo",
  title: "tp-echo vs node:net",
  targets: ECHO_TARGETS,
  render: renderEcho,
  run: (ctx) =>
    runEchoBench({
      // Echo figures swing most with the other work on this machine: more runs, paired ours/peer.
      runs: ctx.runs ?? (ctx.quick ? 1 : 7),
      warmupMs: ctx.quick ? 100 : 500,
      windowMs: ctx.quick ? 300 : 2000,
      cases: [
        { clients: 1, depth: 1 },
        { clients: 100, depth: 1 },
        { clients: 1000, depth: 1 },
        { clients: 100, depth: 16 },
      ],
      log: ctx.log,
    }),
};
