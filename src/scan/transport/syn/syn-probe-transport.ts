// SYN probes as a ProbeTransport (../probe-transport.ts), under the same loop and per-host
// policies as connect probes: start() queues a SYN (sent in sendmmsg batches when the batch
// fills or the loop waits), wait() reads the answers in recvmmsg batches and reports the
// handles they settle. Handles are slots of this table, not descriptors; the only per-probe
// state is the loop's own window of probes in flight ((host, port) -> handle), the answer
// itself being checked by its cookie. SYN-ACK = OPEN, RST = ECONNREFUSED (closed), ICMP
// unreachable = the errno the kernel gives a connect() for that code.
import { UsageError } from "../../../shared/errors.ts";
import { ECONNREFUSED, EHOSTUNREACH, ENETUNREACH } from "../../sys/libc.ts";
import type { FdTable } from "../fd-table.ts";
import type { ProbeAddress } from "../probe-socket.ts";
import { OPEN, PENDING, type ProbeTransport } from "../probe-transport.ts";
import { randomSipKey } from "./siphash.ts";
import { type SynAnswer, type SynProbe, SynTransport } from "./syn-transport.ts";

/** Where SYNs leave from: -S, -g (one port), or the kernel's address and a random range. */
export interface SynSource {
  address: string | null;
  port: number | null;
}

/**
 * Source ports: above Linux's ephemeral range (32768-60999), so no connection of this machine
 * shares one; 16 of them, one after another per probe, so that a retry leaves from another.
 */
const SOURCE_FIRST = 61000;
const SOURCE_PORTS = 16;
const BATCH = 256;

/** icmp_err_convert (net/ipv4/icmp.c): the errno a connect() gets for each unreachable code. */
export function errnoOfIcmpCode(code: number): number {
  if (code === 3) return ECONNREFUSED; // port unreachable
  if (code === 0 || code === 6 || code === 9 || code === 11) return ENETUNREACH;
  return EHOSTUNREACH; // host unreachable, administratively prohibited (13), ...
}

function addressKey(bytes: Uint8Array, at = 0): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

export function parseSourceAddress(text: string): Uint8Array {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    throw new UsageError(`-S expects an IPv4 address, got '${text}'`);
  return Uint8Array.from(parts);
}

export class SynProbeTransport implements ProbeTransport {
  handle = -1;
  private readonly raw: SynTransport;
  private readonly hostOf = new Map<number, number>();
  private readonly inFlight = new Map<number, number>();
  private keyOf = new Float64Array(1024);
  private outcome = new Int32Array(1024);
  private readonly free: number[] = [];
  private next = 0;
  private readonly queue: SynProbe[] = [];
  private queued = 0;
  private answered: number[] = [];
  private reported: number[] = [];
  private lastError = 0;
  private drainedAt = 0;
  private rotation = 0;
  /** Answers with a good cookie for no probe in flight (late: timed out, or a duplicate). */
  late = 0;
  private readonly onAnswer = (a: SynAnswer) => this.settle(a);

  constructor(
    private readonly targets: readonly ProbeAddress[],
    private readonly table: FdTable,
    source: SynSource,
  ) {
    targets.forEach((t, host) => {
      if (t.family !== 4) throw new UsageError("-sS scans IPv4 targets only for now (use -sT)");
      const key = addressKey(t.bytes);
      if (!this.hostOf.has(key)) this.hostOf.set(key, host);
    });
    const first = source.port ?? SOURCE_FIRST + Math.floor(Math.random() * (4500 - SOURCE_PORTS));
    const last = source.port ?? first + SOURCE_PORTS - 1;
    this.raw = new SynTransport({
      key: randomSipKey(),
      sourcePorts: { first, last },
      source: source.address === null ? undefined : parseSourceAddress(source.address),
      ttl: 64,
      batch: BATCH,
    });
    for (let i = 0; i < BATCH; i++)
      this.queue.push({ destination: new Uint8Array(4), port: 0, attempt: 0 });
  }

  private grow(h: number): void {
    this.table.ensure(h);
    if (h < this.outcome.length) return;
    const outcome = new Int32Array(this.outcome.length * 2);
    outcome.set(this.outcome);
    this.outcome = outcome;
    const keyOf = new Float64Array(this.keyOf.length * 2);
    keyOf.set(this.keyOf);
    this.keyOf = keyOf;
  }

  start(host: number, port: number): number {
    const h = this.free.pop() ?? this.next++;
    this.grow(h);
    const key = host * 65536 + port;
    this.outcome[h] = PENDING;
    this.keyOf[h] = key;
    this.inFlight.set(key, h);
    const probe = this.queue[this.queued++] as SynProbe;
    probe.destination = (this.targets[host] as ProbeAddress).bytes;
    // The engine reuses slots for new hosts (engine/host-window.ts): answers map to this one.
    this.hostOf.set(addressKey(probe.destination), host);
    probe.port = port;
    probe.attempt = this.rotation++ & 0xffff;
    if (this.queued === BATCH) this.flush();
    this.handle = h;
    return PENDING;
  }

  /** Send what is queued; what the kernel cannot take now stays queued, in order. */
  private flush(): void {
    let sent = 0;
    while (sent < this.queued) {
      const n = this.raw.send(this.queue, sent, this.queued);
      if (n === 0) break;
      sent += n;
    }
    if (sent === 0) return;
    // Move the unsent to the front; the sent objects are reused at the back.
    const done = this.queue.splice(0, sent);
    this.queue.push(...done);
    this.queued -= sent;
  }

  private settle(a: SynAnswer): void {
    const host = this.hostOf.get(addressKey(a.remote)) ?? -1;
    const key = host * 65536 + a.remotePort;
    const h = host < 0 ? undefined : this.inFlight.get(key);
    if (h === undefined) {
      this.late++;
      return;
    }
    this.inFlight.delete(key);
    this.outcome[h] =
      a.kind === "syn-ack" ? OPEN : a.kind === "rst" ? ECONNREFUSED : errnoOfIcmpCode(a.detail);
    this.answered.push(h);
  }

  private drain(): void {
    this.drainedAt = performance.now();
    this.raw.receive(this.onAnswer);
  }

  wait(timeoutMs: number): number {
    this.flush();
    this.drain();
    if (this.answered.length === 0 && timeoutMs > 0) {
      // Probes the kernel could not take yet (ENOBUFS): look again soon.
      if (this.raw.wait(this.queued > 0 ? Math.min(timeoutMs, 1) : timeoutMs)) this.drain();
    }
    this.reported = this.answered;
    this.answered = [];
    return this.reported.length;
  }

  ready(i: number): number {
    return this.reported[i] as number;
  }

  check(h: number): number {
    if (this.outcome[h] === PENDING && performance.now() - this.drainedAt >= 1) this.drain();
    const outcome = this.outcome[h] as number;
    if (outcome !== PENDING && outcome !== OPEN) this.end(h);
    return outcome;
  }

  end(h: number): void {
    const key = this.keyOf[h] as number;
    if (key < 0) return; // already free
    if (this.inFlight.get(key) === h) this.inFlight.delete(key);
    this.keyOf[h] = -1;
    this.outcome[h] = PENDING;
    this.free.push(h);
  }

  watchReply(): boolean {
    return false; // a half-open probe has no connection to read a banner from
  }

  readReply(): string | null {
    return null;
  }

  errno(): number {
    return this.lastError;
  }

  close(): void {
    this.raw.close();
  }
}
