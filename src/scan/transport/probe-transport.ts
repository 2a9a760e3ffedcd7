// The one interface between the probe loop (engine/prober.ts, with the per-host policies of
// policy/ above it) and a way of sending probes. The loop decides what to probe, when, how
// long to wait and what an outcome means for the host; a transport only sends, waits and says
// what came back. Connect probes (connect-transport.ts) are one; a UDP transport (a connected
// UDP socket per probe: a reply is open, ECONNREFUSED closed, silence open|filtered) and a raw
// SYN one (one raw socket, the handles being slots of its own table, answers read in batches
// in wait()) fit the same shape. See docs/architecture.md.
// A type file: it imports nothing.

/** start()/check(): still waiting (watch the handle). */
export const PENDING = -1;
/** start()/check(): the port answered as open (a connect completed, a UDP reply came). */
export const OPEN = 0;
/** start()/check(): the probe met itself (a loopback self-connect): nothing there, ask again. */
export const SELF = -2;
// Any other outcome is an errno (> 0): ECONNREFUSED = closed, the unreachable errnos, or one
// of LOCAL_ERRNOS (the scanner's own limit: the probe never left).

export interface ProbeTransport {
  /**
   * Send a probe of `port` to host index `host`. PENDING: it waits, `handle` names it; OPEN:
   * answered before start() returned, `handle` is the caller's to end() or watchReply(); any
   * other outcome: settled here, and what it used is already released (or kept for reuse).
   */
  start(host: number, port: number): number;
  /** The handle of the last start() that returned PENDING or OPEN. */
  readonly handle: number;
  /** Wait up to `timeoutMs` (0: do not block): how many handles are ready, or -1 (errno()). */
  wait(timeoutMs: number): number;
  /** The i-th ready handle of the last wait(). */
  ready(i: number): number;
  /** A pending probe's outcome now, as start()'s (PENDING: nothing yet; ends it unless OPEN). */
  check(handle: number): number;
  /** The caller is done with `handle` (timed out, read, stopped): release it. */
  end(handle: number): void;
  /** Keep an OPEN handle to read what the service says first; false: it cannot. */
  watchReply(handle: number): boolean;
  /** What a watched handle has said (latin1), "" for nothing, null if nothing yet. */
  readReply(handle: number): string | null;
  /** The last system error (after wait() returned -1). */
  errno(): number;
  /** Release everything it holds (the handles still out are end()ed first). */
  close(): void;
}
