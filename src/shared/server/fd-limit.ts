// --max-clients against the process's open-file limit: each client is a descriptor, and a
// server out of descriptors cannot even accept a client to refuse it (Bun's accept loop then
// retries at ~80% CPU, measured with a limit of 256 and 400 clients). So the server never
// admits more clients than its descriptors allow.
import { readFileSync } from "node:fs";

/** Descriptors kept for the listener, stdio, the runtime's own, and refusals in flight. */
export const FD_RESERVE = 64;

/** The soft open-file limit (Linux /proc), or undefined where it cannot be read. */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/limits", "utf8");
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!m || m[1] === "unlimited") return undefined;
  return Number(m[1]);
}

/** The most clients the limit allows; `requested` when it fits. */
export function clientsWithinLimit(requested: number, limit: number | undefined): number {
  if (limit === undefined) return requested;
  return Math.max(1, Math.min(requested, limit - FD_RESERVE));
}
