// What `tp-scan HOST [HOST...]` does once citty has parsed its flags: validate them, resolve
// the targets, run the engine with a progress line and Ctrl-C handling, print the report.
import { EXIT_FAILURE, EXIT_INTERRUPTED, RuntimeError, UsageError } from "../shared/errors.ts";
import { createLogger } from "../shared/log.ts";
import { parseDuration, parseInteger } from "../shared/parsers.ts";
import { defaultThreads, type PortState, type ScanResult, scan } from "./engine.ts";
import { getFileLimit, openFdCount, raiseFileLimit } from "./libc.ts";
import { hostResultOf, portsToProbe } from "./output/from-scan-result.ts";
import { listLines } from "./output/list.ts";
import { type PipelineOptions, startPipeline } from "./output/pipeline.ts";
import { loadResume } from "./output/resume.ts";
import { parsePortSpec } from "./ports.ts";
import { jsonReport, type ReportSettings, textReport } from "./report.ts";
import { loadServices } from "./services.ts";
import { resolveTarget, type Target } from "./target.ts";
import { DEFAULT_TIMING } from "./timing.ts";

export const DEFAULT_CONCURRENCY = 1000;
export const DEFAULT_RETRIES = 1;
export const BANNER_WAIT_MS = 1000;
const MAX_CONCURRENCY = 100_000;

export interface ScanSettings {
  hosts: string[];
  portSpec: string;
  ports: number[];
  concurrency: number;
  fixedTimeoutMs: number | null;
  retries: number;
  ordered: boolean;
  output: "text" | "json" | "list";
  show: PortState[];
  banner: boolean;
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

/** Turn citty's parsed args into validated settings (UsageError on anything wrong). */
export function scanSettings(args: Record<string, unknown>): ScanSettings {
  const hosts = [args.host as string, ...((args._ as string[] | undefined) ?? []).slice(1)].filter(
    (h): h is string => typeof h === "string" && h !== "",
  );
  if (hosts.length === 0) throw new UsageError("no target host given");
  const rawPorts = args.ports as string | undefined;
  const portSpec = rawPorts === undefined ? "1-65535" : rawPorts;
  const ports = parsePortSpec(portSpec);
  if (args.json && args.list) throw new UsageError("--json and --list cannot be combined");
  return {
    hosts,
    portSpec: portSpec === "-" ? "1-65535" : portSpec,
    ports,
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
  };
}

function checkTimeout(ms: number): number {
  if (ms < 1 || ms > 600_000) throw new UsageError(`-t must be between 1ms and 10m, got ${ms}ms`);
  return ms;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  return seconds < 60
    ? `${Math.ceil(seconds)} s`
    : `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** A progress line on stderr, only when stderr is a terminal. */
function progressPrinter(label: string): {
  update: (done: number, total: number) => void;
  clear: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => {}, clear: () => {} };
  const started = performance.now();
  let shown = false;
  return {
    update(done, total) {
      const elapsed = (performance.now() - started) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const eta = rate > 0 ? formatEta((total - done) / rate) : "?";
      const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
      process.stderr.write(
        `\r\u001b[K${label}: ${done}/${total} ports (${pct}%), ${Math.round(rate).toLocaleString("en-US")} ports/s, ETA ${eta}`,
      );
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write("\r\u001b[K");
    },
  };
}

/** Run the whole command; returns the exit code. */
export async function runScan(
  settings: ScanSettings,
  pipelineOptions: PipelineOptions = { outputs: [], nmapArgs: null },
): Promise<number> {
  const log = createLogger("tp-scan");
  // Each probe holds a descriptor: use the hard limit, and never ask for more than it allows.
  const limits = raiseFileLimit();
  if (limits.after > limits.before)
    log.info(`open-file limit raised from ${limits.before} to ${limits.after}`);
  const threads = defaultThreads(settings.ports.length, settings.concurrency);
  const room = getFileLimit().soft - openFdCount() - 32 - 8 * threads;
  let concurrency = settings.concurrency;
  if (concurrency > room) {
    concurrency = Math.max(1, room);
    log.warn(
      `concurrency capped to ${concurrency} by the open-file limit (${getFileLimit().soft})`,
    );
  }

  const targets: Target[] = [];
  for (const host of settings.hosts) targets.push(await resolveTarget(host));

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  // --- pipelines (issue 12): files, --jsonl, --resume, the nmap hand-off (src/scan/output/).
  const stdoutTaken = pipelineOptions.outputs.some((o) => o.path === "-");
  if (stdoutTaken && settings.output !== "text")
    throw new UsageError("--json and --list cannot be combined with an output to stdout ('-')");
  const services = loadServices().table;
  const identity = {
    targetSpecs: settings.hosts,
    excludeSpecs: [],
    portSpec: settings.portSpec,
    excludePortSpec: "",
    seed: 0,
    shard: null,
  };
  // The engine takes resume.seed and resume.known (plan.seed, plan.known); the file is appended to.
  const resume = pipelineOptions.resume
    ? loadResume(pipelineOptions.resume, identity, settings.ports)
    : null;
  const pipeline = startPipeline(pipelineOptions, {
    identity,
    resume,
    ports: settings.ports,
    services,
    show: settings.show,
    banners: settings.banner,
    command: process.argv.slice(1),
    settings: {
      ports: settings.portSpec,
      portCount: settings.ports.length,
      concurrency,
      threads,
      timeoutMs: settings.fixedTimeoutMs,
      adaptiveTimeout: settings.fixedTimeoutMs === null ? DEFAULT_TIMING : null,
      retries: settings.retries,
      ordered: settings.ordered,
      bannerMs: settings.banner ? BANNER_WAIT_MS : 0,
    },
    warn: (line) => log.warn(line),
  });
  // --- end pipelines
  const results: ScanResult[] = [];
  let failed = false;
  try {
    for (const target of targets) {
      if (controller.signal.aborted) break;
      const progress = progressPrinter(target.name);
      let result: ScanResult;
      try {
        result = await scan(target, {
          ports: portsToProbe(settings.ports, resume?.known.get(targets.indexOf(target))),
          ordered: settings.ordered,
          concurrency,
          fixedTimeoutMs: settings.fixedTimeoutMs,
          retries: settings.retries,
          bannerMs: settings.banner ? BANNER_WAIT_MS : 0,
          signal: controller.signal,
          onProgress: progress.update,
          progressMs: 200,
        });
      } catch (error) {
        progress.clear();
        if (targets.length === 1)
          throw new RuntimeError(`${target.name}: ${(error as Error).message}`);
        process.stderr.write(`tp-scan: error: ${target.name}: ${(error as Error).message}\n`);
        failed = true;
        continue;
      }
      progress.clear();
      results.push(result);
      const i = targets.indexOf(target);
      const host = hostResultOf(result, i, settings.ports, resume?.known.get(i));
      pipeline.host(host);
      if (stdoutTaken) continue;
      if (settings.output === "text") {
        process.stdout.write(
          `${results.length > 1 ? "\n" : ""}${textReport(result, settings.show, services)}`,
        );
      } else if (settings.output === "list") {
        process.stdout.write(listLines(host, targets.length > 1));
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  if ((await pipeline.finish(controller.signal.aborted)) !== 0) failed = true;
  if (settings.output === "json") {
    const report: ReportSettings = {
      portSpec: settings.portSpec,
      portCount: settings.ports.length,
      concurrency,
      threads: results[0]?.stats.threads ?? threads,
      fixedTimeoutMs: settings.fixedTimeoutMs,
      policy: DEFAULT_TIMING,
      retries: settings.retries,
      ordered: settings.ordered,
      bannerMs: settings.banner ? BANNER_WAIT_MS : 0,
      show: settings.show,
    };
    process.stdout.write(jsonReport(results, report, services, controller.signal.aborted));
  }
  if (controller.signal.aborted) return EXIT_INTERRUPTED;
  return failed ? EXIT_FAILURE : 0;
}
