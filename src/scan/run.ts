// What `tp-scan HOST [HOST...]` does once citty has parsed its flags: validate them, resolve
// the targets, build the plan, run the engine with a progress line and Ctrl-C handling, print
// each host's report as it is final.
import { EXIT_FAILURE, EXIT_INTERRUPTED, RuntimeError, UsageError } from "../shared/errors.ts";
import { createLogger } from "../shared/log.ts";
import { parseDuration, parseInteger } from "../shared/parsers.ts";
import { type ScanSummary, scan } from "./engine.ts";
import { getFileLimit, openFdCount, raiseFileLimit } from "./libc.ts";
import {
  BANNER_WAIT_MS,
  buildPlan,
  defaultThreads,
  type PlanInput,
  randomSeed,
  type ScanPlan,
} from "./plan.ts";
import { parsePortSpec } from "./ports.ts";
import { jsonReport, listLine, textReport } from "./report.ts";
import type { HostResult, PortState } from "./results.ts";
import { loadServices } from "./services.ts";
import { resolveTarget, type Target } from "./target.ts";

export { BANNER_WAIT_MS, DEFAULT_CONCURRENCY, DEFAULT_RETRIES } from "./plan.ts";

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
  seed: number;
  shard: { index: number; count: number } | null;
  discovery: boolean;
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
    seed:
      args.seed === undefined
        ? randomSeed()
        : parseInteger(args.seed as string, "--seed", 0, 2 ** 32 - 1),
    shard: parseShard(args.shard as string | undefined),
    // citty reads nmap's single-dash -Pn as -P -n.
    discovery: !(args.Pn === true || (args.P === true && args.n === true)),
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

/** Resolve every host; a name that does not resolve is one line on stderr, the rest go on. */
async function resolveAll(hosts: string[]): Promise<{ targets: Target[]; failed: boolean }> {
  const targets: Target[] = [];
  let failed = false;
  for (const host of hosts) {
    try {
      targets.push(await resolveTarget(host));
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      process.stderr.write(`tp-scan: error: ${error.message}\n`);
      failed = true;
    }
  }
  return { targets, failed };
}

function planFor(settings: ScanSettings, targets: Target[]): ScanPlan {
  const input: PlanInput = {
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
    ratePerSecond: null,
    discovery: settings.discovery,
    hostTimeoutMs: null,
    defeatRstRatelimit: false,
    known: null,
    identity: { targetSpecs: settings.hosts, portSpec: settings.portSpec },
  };
  return buildPlan(input);
}

/** Run the whole command; returns the exit code. */
export async function runScan(settings: ScanSettings): Promise<number> {
  const resolved = await resolveAll(settings.hosts);
  if (resolved.targets.length === 0) return EXIT_FAILURE;
  const plan = planFor(settings, resolved.targets);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const services = loadServices().table;
  const progress = progressPrinter(
    plan.targets.length === 1 ? (plan.targets[0]?.name ?? "") : "scan",
  );
  let printed = 0;
  let unreachable = false;
  const onHost = (host: HostResult) => {
    progress.clear();
    if (host.status === "unreachable") {
      unreachable = true;
      process.stderr.write(
        `tp-scan: error: ${host.target.name}: host unreachable (${host.reason})\n`,
      );
    }
    if (settings.output === "text")
      process.stdout.write(
        `${printed++ > 0 ? "\n" : ""}${textReport(host, settings.show, services)}`,
      );
    else if (settings.output === "list") process.stdout.write(`${listLine(host)}\n`);
  };
  let summary: ScanSummary;
  try {
    summary = await scan(plan, { onHost, onProgress: progress.update }, controller.signal);
  } catch (error) {
    progress.clear();
    throw new RuntimeError((error as Error).message);
  } finally {
    process.off("SIGINT", onSigint);
  }
  progress.clear();
  if (settings.output === "json") {
    const run = { interrupted: controller.signal.aborted, stats: summary.stats };
    process.stdout.write(jsonReport(summary.hosts, plan, settings.show, services, run));
  }
  if (controller.signal.aborted) return EXIT_INTERRUPTED;
  return resolved.failed || unreachable ? EXIT_FAILURE : 0;
}
