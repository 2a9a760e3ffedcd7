// What `tp-scan HOST [HOST...]` does once citty has parsed its flags: validate them, resolve
// the targets, build the plan, run the engine with a progress line and Ctrl-C handling, print
// each host's report as it is final.
import { EXIT_FAILURE, EXIT_INTERRUPTED, RuntimeError, UsageError } from "../../shared/errors.ts";
import { createLogger } from "../../shared/log.ts";
import { type ScanSummary, scan } from "../engine/engine.ts";
import {
  buildPlan,
  type ConcurrencyRoom,
  type PlanInput,
  type ScanPlan,
  scanIdentity,
} from "../model/plan.ts";
import type { HostResult } from "../model/results.ts";
import { listLines } from "../output/list.ts";
import { type PipelineOptions, startPipeline } from "../output/pipeline.ts";
import { progressPrinter } from "../output/progress.ts";
import { jsonReport, planSettings, textReporter } from "../output/report.ts";
import { loadResume } from "../output/resume.ts";
import { loadServices } from "../ports/services.ts";
import { getFileLimit, openFdCount, raiseFileLimit } from "../sys/libc.ts";
import { resolveTargets } from "../targets/settings.ts";
import type { Target } from "../targets/target.ts";
import type { ScanSettings } from "./settings.ts";

export { BANNER_WAIT_MS, DEFAULT_CONCURRENCY, DEFAULT_RETRIES } from "../model/plan.ts";
export { parseShow, type ScanSettings, scanSettings } from "./settings.ts";

/** How many probes the open-file limit leaves for `threads` loops (raised to the hard limit first). */
const fileLimitRoom: ConcurrencyRoom = (wanted, threads) => {
  const log = createLogger("tp-scan");
  // Each probe holds a descriptor: use the hard limit, and never ask for more than it allows.
  const limits = raiseFileLimit();
  if (limits.after > limits.before)
    log.info(`open-file limit raised from ${limits.before} to ${limits.after}`);
  const room = getFileLimit().soft - openFdCount() - 32 - 8 * threads;
  if (wanted > room)
    log.warn(
      `concurrency capped to ${Math.max(1, room)} by the open-file limit (${getFileLimit().soft})`,
    );
  return room;
};

/** The plan's input: the settings' parts taken whole (the probe part as it is). */
function planInput(settings: ScanSettings, targets: Target[]): PlanInput {
  const { ports, seed, ordered, shard, probe } = settings;
  return { targets, ports, seed, ordered, shard, probe, known: null, identity: settings };
}

/**
 * A host whose round trip is beyond the first timeout of a silent host: its first tries all
 * timed out and only the backed-off ones reached it; say so, since its filtered ports may be
 * ports whose answers come later still.
 */
export function farHostWarning(host: HostResult, plan: ScanPlan): string | null {
  const srtt = host.timing.srttMs;
  const { fixedTimeoutMs, policy } = plan.probe;
  if (fixedTimeoutMs !== null || srtt === null || srtt <= policy.initialMs) return null;
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
  const plan = buildPlan(
    resume ? { ...input, seed: resume.seed, known: resume.known } : input,
    fileLimitRoom,
  );
  const services = loadServices().table;
  const pipeline = startPipeline(pipelineOptions, {
    identity: plan.identity,
    resume,
    ports: plan.ports,
    services,
    show: settings.show,
    banners: plan.probe.bannerMs > 0,
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
