// tp-scan as a library: `for await (const event of scan(options))` yields the --jsonl lines as
// objects (scan, port, host, run: ../output/jsonl.ts), `scanAll(options)` returns the --json
// document. Errors are the CLI's UsageError and RuntimeError, thrown, never an exit.
import type { JsonlLine } from "../output/jsonl.ts";
import { jsonReportDocument } from "../output/report.ts";
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
    const { summary, interrupted } = await runPrepared(prepared, controller.signal, null);
    const { plan, settings, services } = prepared;
    return jsonReportDocument(summary.hosts, plan, settings.show, services, {
      interrupted,
      stats: summary.stats,
    });
  } finally {
    release();
  }
}

export type ScanDocument = NonNullable<Awaited<ReturnType<typeof scanAll>>>;
