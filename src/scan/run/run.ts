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
import { documentSettings } from "../output/json.ts";
import { listLines } from "../output/list.ts";
import { type PipelineOptions, startPipeline } from "../output/pipeline.ts";
import { progressPrinter } from "../output/progress.ts";
import { textReporter } from "../output/report.ts";
import { loadResume } from "../output/resume.ts";
import { takesStdout } from "../output/sinks.ts";
import { loadServices } from "../ports/services.ts";
import { getFileLimit, openFdCount, raiseFileLimit } from "../sys/libc.ts";
import { resolveTargets } from "../targets/settings.ts";
import { TargetSpace } from "../targets/space.ts";
import type { Target } from "../targets/target.ts";
import { scanPasses, scanTwoProtocols } from "./protocol-passes.ts";
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
function planInput(settings: ScanSettings, targets: TargetSpace): PlanInput {
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

/** The targets, resolved, each failure a warning; null when none is left (the exit code then). */
async function resolvedTargets(settings: ScanSettings) {
  const resolved = await resolveTargets(settings);
  for (const line of resolved.warnings) process.stderr.write(`tp-scan: warning: ${line}\n`);
  // An empty space, or one whose every address is a hole: nothing to scan.
  const { space } = resolved;
  // At most two kept targets looked at (holes, the duplicates and exclusions, are not hosts).
  const first = resolved.targets[Symbol.iterator]();
  const empty = space.count === 0 || first.next().done === true;
  const several = !empty && first.next().done !== true;
  if (empty && resolved.failed === 0)
    process.stderr.write("tp-scan: warning: no target left to scan\n");
  return { space, empty, several, failed: resolved.failed };
}

/** The plan; with --resume, the file's seed and known port states go into it (the library API makes its own). */
export function scanPlan(
  settings: ScanSettings,
  targets: TargetSpace,
  resumePath: string | null | undefined,
) {
  const input = planInput(settings, targets);
  const resume = resumePath ? loadResume(resumePath, scanIdentity(input), settings.ports) : null;
  const plan = buildPlan(
    resume ? { ...input, seed: resume.seed, known: resume.known } : input,
    fileLimitRoom,
  );
  return { plan, resume };
}

/** -sU with -sT/-sS: the UDP pass's plan over the hosts the TCP pass left (null: one protocol). */
function udpPlanMaker(settings: ScanSettings, plan: ScanPlan) {
  const { udpPorts } = settings;
  if (udpPorts === null) return null;
  return (targets: Target[]) =>
    buildPlan(
      {
        ...planInput(settings, TargetSpace.of(targets)),
        ports: udpPorts,
        known: null,
        seed: plan.seed,
        probe: { ...settings.probe, transport: "udp", threads: undefined, discovery: false },
      },
      fileLimitRoom,
    );
}

/** What each final host prints (stderr notes, then the pipeline and stdout's format). */
function hostPrinter(
  settings: ScanSettings,
  plan: ScanPlan,
  pipeline: ReturnType<typeof startPipeline>,
  stdoutTaken: boolean,
  progress: ReturnType<typeof progressPrinter>,
  layout: { several: boolean },
) {
  const report = textReporter(settings.show, loadServices().table, { reason: settings.reason });
  const printer = { unreachable: false, onHost: (_host: HostResult) => {} };
  printer.onHost = (host) => {
    progress.clear();
    if (host.status === "unreachable") {
      printer.unreachable = true;
      process.stderr.write(
        `tp-scan: error: ${host.target.name}: host unreachable (${host.reason})\n`,
      );
    }
    const far = farHostWarning(host, plan);
    if (far) createLogger("tp-scan").warn(far);
    pipeline.host(host);
    if (stdoutTaken) return;
    if (settings.output === "text") process.stdout.write(report(host));
    else if (settings.output === "list") process.stdout.write(listLines(host, layout.several));
  };
  return printer;
}

/** Ctrl-C stops the scan (its partial report follows); a second one quits at once. */
function interruptOnSigint(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      process.stderr.write("tp-scan: interrupted twice: quitting without the report\n");
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, release: () => process.off("SIGINT", onSigint) };
}

/** Run the whole command; returns the exit code. */
export async function runScan(
  settings: ScanSettings,
  pipelineOptions: PipelineOptions = { outputs: [], nmapArgs: null },
): Promise<number> {
  const resolved = await resolvedTargets(settings);
  if (resolved.empty) return resolved.failed > 0 ? EXIT_FAILURE : 0;
  const stdoutTaken = takesStdout(pipelineOptions.outputs);
  if (stdoutTaken && settings.output !== "text")
    throw new UsageError("--json and --list cannot be combined with an output to stdout ('-')");
  if (settings.udpPorts !== null && pipelineOptions.resume)
    throw new UsageError("--resume of a scan with -sU and -sS/-sT is not supported yet");
  const { plan, resume } = scanPlan(settings, resolved.space, pipelineOptions.resume);
  const udpPlanOf = udpPlanMaker(settings, plan);
  const protocol = plan.probe.transport === "udp" ? "udp" : "tcp";
  const services = loadServices().table;
  // --json is the -oJ document on stdout: one builder for both.
  const outputs = [...pipelineOptions.outputs];
  if (settings.output === "json") outputs.push({ format: "json", path: "-" });
  const pipeline = startPipeline(
    { ...pipelineOptions, outputs },
    {
      identity: plan.identity,
      resume,
      ports: plan.ports,
      // The UDP pass's ports are known before its plan (same count and order for each host).
      passes: scanPasses(plan, udpPlanOf && { ...plan, ports: settings.udpPorts ?? [] }),
      services,
      show: settings.show,
      banners: plan.probe.bannerMs > 0,
      command: process.argv.slice(1),
      settings: documentSettings(plan),
      warn: (line) => createLogger("tp-scan").warn(line),
    },
  );
  const interrupt = interruptOnSigint();
  const progress = progressPrinter(
    plan.targets.count === 1 ? (plan.targets.at(0)?.name ?? "") : "scan",
  );
  const printer = hostPrinter(settings, plan, pipeline, stdoutTaken, progress, resolved);
  let summary: ScanSummary;
  try {
    // The JSON document shows stats.fds.after: count them then. It is written host by host
    // (output/json.ts), so no host is kept for it.
    const exitsAfter = !outputs.some((o) => o.format === "json");
    const events = { onHost: printer.onHost, onProgress: progress.update };
    summary = udpPlanOf
      ? await scanTwoProtocols(
          plan,
          udpPlanOf,
          { ...events, onOpen: pipeline.open },
          interrupt.signal,
          exitsAfter,
        )
      : await scan(
          plan,
          { ...events, onOpen: (t, i, p) => pipeline.open(t, i, p, protocol) },
          interrupt.signal,
          // Every output takes its host as it is done: none is kept (issue 18: flat memory).
          { exitsAfter, keepHosts: false },
        );
  } catch (error) {
    throw new RuntimeError((error as Error).message);
  } finally {
    progress.clear();
    interrupt.release();
  }
  const interrupted = interrupt.signal.aborted;
  const nmapStatus = await pipeline.finish(interrupted, summary.stats);
  if (interrupted) return EXIT_INTERRUPTED;
  return resolved.failed > 0 || printer.unreachable || nmapStatus !== 0 ? EXIT_FAILURE : 0;
}
