// The memory a server may hold for its clients, whatever they do (docs/hardening.md): per
// client, its output queue (up to --max-pending, plus the buffer of a reply partly sent: 2x),
// a line being received (held in a buffer that doubles: 2x --max-line), the read set aside
// while its output is backed up (the kernel receive buffer, MAX_READ_BYTES), one more read Bun
// may still dispatch once paused or hands over when such a paused client resets (another MAX_READ_BYTES, garbage at once: 1000
// non-readers resetting together added ~240 MB to the peak with a 16 KiB cap) and a fixed
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
  return 2 * b.maxPendingOutput + 2 * b.maxLineBytes + 2 * MAX_READ_BYTES + CLIENT_OVERHEAD_BYTES;
}

/**
 * What the runtime itself takes under load, whatever the number of clients: the JS heap grows
 * before it collects, the allocator keeps freed pages a while (measured: 30-65 MB above the
 * plateau with 20 to 1000 flooding clients, in spikes).
 */
export const RUNTIME_HEADROOM_BYTES = 64 * 1024 * 1024;

/** Bytes all clients together can make the server hold, above its memory at rest. */
export function memoryBound(b: BoundInputs): number {
  return RUNTIME_HEADROOM_BYTES + b.maxClients * perClientBound(b);
}
