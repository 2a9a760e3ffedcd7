// tp-scan as a library: `for await (const event of scan(options))` yields the --jsonl lines as
// objects (scan, port, host, run: ../output/jsonl.ts), `scanAll(options)` returns the --json
// document. Errors are the CLI's UsageError and RuntimeError, thrown, never an exit.

import type { ScanStats } from "../engine/engine.ts";
import type { ScanIdentity } from "../model/results.ts";
import { documentSettings, type jsonTarget, jsonWriter } from "../output/json.ts";
import type { JsonlLine } from "../output/jsonl.ts";
import { LineQueue } from "./line-queue.ts";
import type { ScanOptions } from "./options.ts";
import { prepareScan, runPrepared } from "./run.ts";

/** An AbortController of our own that also follows the caller's signal. */
function linkedController(signal: AbortSignal | undefined) {
  const controller = new AbortController();
  const follow = () => controller.abort(signal?.reason);
  if (signal?.aborted) follow();
  signal?.addEventListener("abort", follow, { once: true });
  return { controller, release: () => signal?.removeEventListener("abort", follow) };
}

/**
 * The scan's events as they become final: the scan line first, open ports as found, each host
 * when done, the run line last (interrupted: true after `signal` aborted). Leaving the loop
 * early (break, return, throw) stops the probes; the iterator waits for the Workers to end.
 */
export async function* scan(options: ScanOptions): AsyncGenerator<JsonlLine, void, undefined> {
  const prepared = await prepareScan(options);
  if (!prepared) return;
  const { controller, release } = linkedController(options.signal);
  const queue = new LineQueue<JsonlLine>();
  const running = runPrepared(prepared, controller.signal, (lines) => queue.push(lines)).then(
    () => queue.end(),
    (error) => queue.end(error),
  );
  try {
    yield* queue.drain();
  } finally {
    controller.abort();
    release();
    await running;
  }
}

/** The whole --json document of the scan (partial, `interrupted: true`, after an abort). */
export async function scanAll(options: ScanOptions) {
  const prepared = await prepareScan(options);
  if (!prepared) return null;
  const { controller, release } = linkedController(options.signal);
  try {
    const startedAt = new Date();
    const { summary, interrupted } = await runPrepared(prepared, controller.signal, null);
    const { plan, settings, services } = prepared;
    // The --json builder itself (output/json.ts), so that the two never differ.
    const writer = jsonWriter({
      identity: plan.identity,
      ports: plan.ports,
      services,
      show: settings.show,
      banners: plan.probe.bannerMs > 0,
    });
    const run = {
      command: prepared.argv,
      startedAt,
      elapsedMs: summary.elapsedMs,
      interrupted,
      settings: documentSettings(plan),
      stats: summary.stats,
    };
    const text = writer.head(run) + summary.hosts.map((h) => writer.target(h)).join("");
    return JSON.parse(text + writer.tail(run)) as ScanDocument;
  } finally {
    release();
  }
}

/** What --json writes (docs/output.md), as JSON.parse gives it back. */
export interface ScanDocument {
  scanner: "tp-scan";
  version: string;
  scan: ScanIdentity;
  command: string[];
  settings: Record<string, unknown>;
  startedAt: string;
  targets: ReturnType<typeof jsonTarget>[];
  elapsedMs: number;
  interrupted: boolean;
  stats: ScanStats | null;
}
