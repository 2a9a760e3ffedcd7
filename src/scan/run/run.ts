// What `tp-scan HOST [HOST...]` does once citty has parsed its flags: validate them, resolve
// the targets, build the plan, run the engine with a progress line and Ctrl-C handling, print
// each host's report as it is final.
import { EXIT_FAILURE, EXIT_INTERRUPTED, RuntimeError, UsageError } from "../../shared/errors.ts";
import { createLogger } from "../../shared/log.ts";
import { parseDuration, parseInteger } from "../../shared/parsers.ts";
import { type ScanSummary, scan } from "../engine/engine.ts";
import {
  BANNER_WAIT_MS,
  buildPlan,
  defaultThreads,
  type PlanInput,
  randomSeed,
  type ScanPlan,
  scanIdentity,
} from "../model/plan.ts";
import type { HostResult, PortState } from "../model/results.ts";
import { listLines } from "../output/list.ts";
import { type PipelineOptions, startPipeline } from "../output/pipeline.ts";
import { progressPrinter } from "../output/progress.ts";
import { jsonReport, planSettings, textReporter } from "../output/report.ts";
import { loadResume } from "../output/resume.ts";
import { loadServices } from "../ports/services.ts";
import { getFileLimit, openFdCount, raiseFileLimit } from "../sys/libc.ts";
import { resolveTargets, type TargetSettings, targetSettings } from "../targets/settings.ts";
import type { Target } from "../targets/target.ts";
import { parseEngine } from "../transport/engine-flag.ts";
import type { EngineName } from "../transport/readiness.ts";

export { BANNER_WAIT_MS, DEFAULT_CONCURRENCY, DEFAULT_RETRIES } from "../model/plan.ts";

const MAX_CONCURRENCY = 100_000;

export interface ScanSettings extends TargetSettings {
  concurrency: number;
  fixedTimeoutMs: number | null;
  retries: number;
  ordered: boolean;
  output: "text" | "json" | "list";
  show: PortState[];
  banner: boolean;
  seed: number;
  shard: { index: number; count: number } | null;
  discovery: boolean;
  ratePerSecond: number | null;
  hostTimeoutMs: number | null;
  defeatRstRatelimit: boolean;
  engine: EngineName;
}

export function parseShow(text: string | undefined): PortState[] {
  if (text === undefined || text.trim() === "") return [];
  const out: PortState[] = [];
  for (const item of text.split(",").map((s) => s.trim().toLowerCase())) {
    if (item === "open") continue;
    if (item !== "closed" && item !== "filtered") {
      throw new UsageError(`--show expects closed and/or filtered, got '${item}'`);
    }
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

/** `--shard I/N`: part I (1-based) of N. */
export function parseShard(text: string | undefined): { index: number; count: number } | null {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || count > 1_000_000)
    throw new UsageError(`--shard expects I/N with 1 <= I <= N (e.g. 2/3), got '${text}'`);
  return count === 1 ? null : { index, count };
}

/** Turn citty's parsed args into validated settings (UsageError on anything wrong). */
export function scanSettings(args: Record<string, unknown>): ScanSettings {
  if (args.json && args.list) throw new UsageError("--json and --list cannot be combined");
  return {
    ...targetSettings(args),
    concurrency: parseInteger(args.concurrency as string | undefined, "-c", 1, MAX_CONCURRENCY),
    fixedTimeoutMs:
      args.timeout === undefined
        ? null
        : checkTimeout(parseDuration(args.timeout as string, "-t", "ms")),
    retries: parseInteger(args.retries as string | undefined, "--retries", 0, 10),
    ordered: Boolean(args.ordered),
    output: args.json ? "json" : args.list ? "list" : "text",
    show: parseShow(args.show as string | undefined),
    banner: Boolean(args.banner),
    seed:
      args.seed === undefined
        ? randomSeed()
        : parseInteger(args.seed as string, "--seed", 0, 2 ** 32 - 1),
    shard: parseShard(args.shard as string | undefined),
    discovery: args["skip-discovery"] !== true,
    ratePerSecond:
      args.rate === undefined ? null : parseInteger(args.rate as string, "--rate", 1, 10_000_000),
    hostTimeoutMs:
      args["host-timeout"] === undefined
        ? null
        : checkTimeout(
            parseDuration(args["host-timeout"] as string, "--host-timeout", "ms"),
            "--host-timeout",
          ),
    defeatRstRatelimit: args["defeat-rst-ratelimit"] === true,
    engine: parseEngine(args.engine as string | undefined),
  };
}

function checkTimeout(ms: number, flag = "-t"): number {
  if (ms < 1 || ms > 600_000)
    throw new UsageError(`${flag} must be between 1ms and 10m, got ${ms}ms`);
  return ms;
}

/** The concurrency the open-file limit allows (raised to the hard limit first). */
function affordableConcurrency(wanted: number, workCount: number): number {
  const log = createLogger("tp-scan");
  // Each probe holds a descriptor: use the hard limit, and never ask for more than it allows.
  const limits = raiseFileLimit();
  if (limits.after > limits.before)
    log.info(`open-file limit raised from ${limits.before} to ${limits.after}`);
  const threads = defaultThreads(workCount, wanted);
  const room = getFileLimit().soft - openFdCount() - 32 - 8 * threads;
  if (wanted <= room) return wanted;
  const capped = Math.max(1, room);
  log.warn(`concurrency capped to ${capped} by the open-file limit (${getFileLimit().soft})`);
  return capped;
}

/** The plan's input from the flags; the open-file limit is looked at (and logged) once here. */
function planInput(settings: ScanSettings, targets: Target[]): PlanInput {
  return {
    targets,
    ports: settings.ports,
    ordered: settings.ordered,
    concurrency: affordableConcurrency(
      settings.concurrency,
      targets.length * settings.ports.length,
    ),
    fixedTimeoutMs: settings.fixedTimeoutMs,
    retries: settings.retries,
    bannerMs: settings.banner ? BANNER_WAIT_MS : 0,
    seed: settings.seed,
    shard: settings.shard,
    ratePerSecond: settings.ratePerSecond,
    discovery: settings.discovery,
    hostTimeoutMs: settings.hostTimeoutMs,
    defeatRstRatelimit: settings.defeatRstRatelimit,
    engine: settings.engine,
    known: null,
    identity: {
      targetSpecs: settings.targetSpecs,
      excludeSpecs: settings.excludeSpecs,
      portSpec: settings.portSpec,
      excludePortSpec: settings.excludePortSpec,
    },
  };
}

/**
 * A host whose round trip is beyond the first timeout of a silent host: its first tries all
 * timed out and only the backed-off ones reached it; say so, since its filtered ports may be
 * ports whose answers come later still.
 */
export function farHostWarning(host: HostResult, plan: ScanPlan): string | null {
  const srtt = host.timing.srttMs;
  if (plan.fixedTimeoutMs !== null || srtt === null || srtt <= plan.policy.initialMs) return null;
  return `${host.target.name} is far (round trip ~${Math.round(srtt)} ms): its probes waited up to ${Math.round(host.timing.timeoutMs)} ms; filtered ports there may only be slow`;
}

/** Run the whole command; returns the exit code. */
export async function runScan(
  settings: ScanSettings,
  pipelineOptions: PipelineOptions = { outputs: [], nmapArgs: null },
): Promise<number> {
  const resolved = await resolveTargets(settings);
  for (const line of resolved.warnings) process.stderr.write(`tp-scan: warning: ${line}\n`);
  const targets = [...resolved.targets];
  if (targets.length === 0) {
    if (resolved.failed === 0) process.stderr.write("tp-scan: warning: no target left to scan\n");
    return resolved.failed > 0 ? EXIT_FAILURE : 0;
  }
  // --- pipelines (issue 12): files, --jsonl, --resume, the nmap hand-off (src/scan/output/).
  const stdoutTaken = pipelineOptions.outputs.some((o) => o.path === "-");
  if (stdoutTaken && settings.output !== "text")
    throw new UsageError("--json and --list cannot be combined with an output to stdout ('-')");
  // --resume: the file's seed and known port states go into the plan; it is appended to.
  const input = planInput(settings, targets);
  const resume = pipelineOptions.resume
    ? loadResume(pipelineOptions.resume, scanIdentity(input), settings.ports)
    : null;
  const plan = buildPlan(resume ? { ...input, seed: resume.seed, known: resume.known } : input);
  const services = loadServices().table;
  const pipeline = startPipeline(pipelineOptions, {
    identity: plan.identity,
    resume,
    ports: plan.ports,
    services,
    show: settings.show,
    banners: settings.banner,
    command: process.argv.slice(1),
    // The --json document's settings (report.ts), so that -oJ carries the same.
    settings: planSettings(plan),
    warn: (line) => createLogger("tp-scan").warn(line),
  });
  // --- end pipelines
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const progress = progressPrinter(
    plan.targets.length === 1 ? (plan.targets[0]?.name ?? "") : "scan",
  );
  const report = textReporter(settings.show, services);
  let unreachable = false;
  const onHost = (host: HostResult) => {
    progress.clear();
    if (host.status === "unreachable") {
      unreachable = true;
      process.stderr.write(
        `tp-scan: error: ${host.target.name}: host unreachable (${host.reason})\n`,
      );
    }
    const far = farHostWarning(host, plan);
    if (far) createLogger("tp-scan").warn(far);
    pipeline.host(host);
    if (stdoutTaken) return;
    if (settings.output === "text") process.stdout.write(report(host));
    else if (settings.output === "list")
      process.stdout.write(listLines(host, plan.targets.length > 1));
  };
  let summary: ScanSummary;
  try {
    summary = await scan(
      plan,
      { onHost, onOpen: pipeline.open, onProgress: progress.update },
      controller.signal,
      { exitsAfter: settings.output !== "json" }, // --json shows stats.fds: count them
    );
  } catch (error) {
    progress.clear();
    throw new RuntimeError((error as Error).message);
  } finally {
    process.off("SIGINT", onSigint);
  }
  progress.clear();
  const nmapStatus = await pipeline.finish(controller.signal.aborted);
  if (settings.output === "json") {
    const run = { interrupted: controller.signal.aborted, stats: summary.stats };
    process.stdout.write(jsonReport(summary.hosts, plan, settings.show, services, run));
  }
  if (controller.signal.aborted) return EXIT_INTERRUPTED;
  return resolved.failed > 0 || unreachable || nmapStatus !== 0 ? EXIT_FAILURE : 0;
}
