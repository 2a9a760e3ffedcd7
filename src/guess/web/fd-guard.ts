// Half-sent HTTP requests never reach our code: Bun.serve accepts them and holds them until its
// own 10-12 s cut, with no hook to count or refuse them. Under `ulimit -n 1024`, 1100 of them
// took every descriptor: a TCP player then got nothing (issue 23). So the classroom watches its
// descriptors: when the process is nearly out of them (within half the reserve) and the web
// side holds more than its share, the web listener is restarted, which closes every web
// connection (measured: 600 descriptors freed in 0.1 s) and keeps the game's own.
import { readdirSync } from "node:fs";
import { FD_RESERVE } from "../../shared/server/fd-limit.ts";

/** How often the descriptors are counted (a readdir of /proc/self/fd: ~1 ms per 2000). */
export const FD_CHECK_MS = 250;

/** Descriptors open now; Infinity when there is none left to read the count with. */
export function openDescriptors(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "EMFILE" || code === "ENFILE" ? Number.POSITIVE_INFINITY : undefined;
  }
}

export interface FdGuardOptions {
  /** The open-file limit. */
  limit: number;
  /** Web connections the budget gives the web side. */
  webShare: number;
  /** Descriptors the game holds for its players now (TCP clients). */
  gameConnections: () => number;
  /** Close every web connection (restart the web listener). */
  shed: () => void;
  /** Descriptors open at rest (listeners, stdio, the runtime's): counted once, at start. */
  baseline?: number;
}

/** Web connections as the descriptor count sees them: all open, less the game's, less rest. */
export function overShare(o: FdGuardOptions, open: number): boolean {
  const nearlyOut = open >= o.limit - FD_RESERVE / 2;
  const web = open - (o.baseline ?? 0) - o.gameConnections();
  return nearlyOut && web > o.webShare;
}

/** Start watching; returns the way to stop. */
export function guardDescriptors(o: FdGuardOptions): () => void {
  const opts = { ...o, baseline: o.baseline ?? openDescriptors() ?? 0 };
  const timer = setInterval(() => {
    const open = openDescriptors();
    if (open !== undefined && overShare(opts, open)) opts.shed();
  }, FD_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
