// One library scan from options to its end: the CLI's settings, targets and plan (run/), the
// engine, and the CLI's output pipeline with the --jsonl lines handed over as objects. Each
// call builds its own plan, shared memory, Workers and pipeline: two scans at once in one
// process share only what is read-only (the services table, the Worker script's URL).
import { RuntimeError } from "../../shared/errors.ts";
import { scan as runEngine, type ScanSummary } from "../engine/engine.ts";
import type { ScanPlan } from "../model/plan.ts";
import { documentSettings } from "../output/json.ts";
import type { JsonlLine } from "../output/jsonl.ts";
import { startPipeline } from "../output/pipeline.ts";
import { loadServices, type ServiceTable } from "../ports/services.ts";
import { scanPlan } from "../run/run.ts";
import { type ScanSettings, scanSettings } from "../run/settings.ts";
import { resolveTargets } from "../targets/settings.ts";
import { flagArgs, type ScanOptions } from "./options.ts";

export interface PreparedScan {
  settings: ScanSettings;
  plan: ScanPlan;
  services: ServiceTable;
  /** The equivalent command line. */
  argv: string[];
  /** --db FILE: the history the run is recorded in. */
  db: string | null;
  warn: (line: string) => void;
}

/** Settings, targets and plan, as the CLI makes them; null when no target is left to scan. */
export async function prepareScan(options: ScanOptions): Promise<PreparedScan | null> {
  const warn = options.onWarning ?? ((line) => process.stderr.write(`tp-scan: warning: ${line}\n`));
  const { args, argv } = flagArgs(options);
  const settings = scanSettings(args);
  const resolved = await resolveTargets(settings);
  for (const line of resolved.warnings) warn(line);
  // The space, never the list: a /8 is computed address by address, as on the command line.
  const empty = resolved.space.count === 0 || resolved.targets[Symbol.iterator]().next().done;
  if (empty) {
    // The CLI exits 1 when names failed to resolve, 0 when the exclusions left nothing.
    if (resolved.failed > 0) throw new RuntimeError(resolved.warnings[0] ?? "no target resolved");
    warn("no target left to scan");
    return null;
  }
  const { plan } = scanPlan(settings, resolved.space, null);
  const db = typeof args.db === "string" ? args.db : null;
  return { settings, plan, services: loadServices().table, argv, db, warn };
}

export interface FinishedScan {
  summary: ScanSummary;
  interrupted: boolean;
}

/**
 * Run a prepared scan: each batch of --jsonl lines to `onLines` as it is final (null: none
 * built), to the end or until `signal` aborts (then the hosts are partial, the run line says so).
 */
export async function runPrepared(
  prepared: PreparedScan,
  signal: AbortSignal,
  onLines: ((lines: JsonlLine[]) => void) | null,
): Promise<FinishedScan> {
  const { plan, settings, services } = prepared;
  const pipeline = startPipeline(
    { outputs: [], nmapArgs: null, db: prepared.db, events: onLines },
    {
      identity: plan.identity,
      resume: null,
      ports: plan.ports,
      services,
      show: settings.show,
      banners: plan.probe.bannerMs > 0,
      command: prepared.argv,
      settings: documentSettings(plan),
      warn: prepared.warn,
    },
  );
  let summary: ScanSummary;
  try {
    // scanAll() (no lines wanted) builds its document from the hosts: keep them only then.
    summary = await runEngine(plan, { onHost: pipeline.host, onOpen: pipeline.open }, signal, {
      keepHosts: onLines === null,
    });
  } catch (error) {
    throw new RuntimeError((error as Error).message);
  }
  await pipeline.finish(signal.aborted);
  return { summary, interrupted: signal.aborted };
}
