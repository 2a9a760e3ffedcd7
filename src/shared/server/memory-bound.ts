// The memory a server may hold for its clients, whatever they do (docs/hardening.md): per
// client, its output queue (up to --max-pending, plus the buffer of a reply partly sent: 2x),
// a line being received (held in a buffer that doubles: 2x --max-line), the one read set aside
// while its output is backed up (the kernel receive buffer, MAX_READ_BYTES) and a fixed
// overhead (socket, session, framer); times --max-clients.
import { MAX_READ_BYTES } from "./receive-buffer.ts";

/** Per-client fixed cost: Bun's socket, our Client, the session (measured ~6 KiB at 1000 idle clients; with margin). */
export const CLIENT_OVERHEAD_BYTES = 16 * 1024;

export interface BoundInputs {
  maxClients: number;
  maxPendingOutput: number;
  maxLineBytes: number;
}

/** Bytes one client can make the server hold. */
export function perClientBound(b: Omit<BoundInputs, "maxClients">): number {
  return 2 * b.maxPendingOutput + 2 * b.maxLineBytes + MAX_READ_BYTES + CLIENT_OVERHEAD_BYTES;
}

/** Bytes all clients together can make the server hold, above its memory at rest. */
export function memoryBound(b: BoundInputs): number {
  return b.maxClients * perClientBound(b);
}
