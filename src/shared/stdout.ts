// A closed stdout (`tp-scan ... | head -1`) ends the program quietly with status 0, in all
// three programs: the reader is gone, so nothing more is worth doing or saying. Without this a
// write raises EPIPE, which Bun prints with a stack and its version banner, exit 1.
import { writeSync } from "node:fs";

export function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "EPIPE";
}

function quit(): never {
  process.exit(0);
}

let installed = false;

/**
 * Make EPIPE on stdout end the program with status 0 when it surfaces as an 'error' event on
 * process.stdout (console.log, process.stdout.write). A write that throws it instead reaches
 * the runner's catch (exitIfBrokenPipe) or writeAll. Idempotent.
 */
export function exitQuietlyOnBrokenPipe(): void {
  if (installed) return;
  installed = true;
  process.stdout.on("error", (error) => {
    if (isBrokenPipe(error)) quit();
    throw error;
  });
}

/** Exit quietly if `error` is a broken pipe; otherwise return (the caller handles it). */
export function exitIfBrokenPipe(error: unknown): void {
  if (isBrokenPipe(error)) quit();
}

/**
 * Write all of `data` to `fd` now (a line of --jsonl reaches the reader at once), retrying
 * partial writes and EAGAIN on a non-blocking pipe. EPIPE on stdout ends the program quietly.
 */
export function writeAll(fd: number, data: string | Uint8Array): void {
  let rest = typeof data === "string" ? Buffer.from(data) : data;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      if ((error as { code?: string }).code === "EAGAIN") {
        Bun.sleepSync(1);
        continue;
      }
      if (fd === 1) exitIfBrokenPipe(error);
      throw error;
    }
  }
}
