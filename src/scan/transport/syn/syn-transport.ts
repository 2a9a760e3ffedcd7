// The SYN transport on its own: SYNs sent in sendmmsg batches from the raw socket, answers
// read in recvmmsg batches from the filtered receiving sockets and checked against the
// cookie; no per-probe state (a retry is a new SYN, its source port says which try it is).
import { type Answer, emptyAnswer, parseAnswerV4 } from "./answer.ts";
import type { FilterPorts } from "./bpf.ts";
import { acknowledgesCookie, cookieOf, type Flow } from "./cookie.ts";
import { MessageBatch } from "./mmsg.ts";
import { SYN_V4_LENGTH, type SynFields, writeSynV4 } from "./packet.ts";
import { EAGAIN, EINTR, ENOBUFS, MSG_DONTWAIT } from "./raw-libc.ts";
import {
  closeRawSockets,
  openRawSockets,
  type RawSockets,
  sourceAddressFor,
  waitForAnswers,
} from "./raw-socket.ts";
import type { SipKey } from "./siphash.ts";

export interface SynTransportSettings {
  key: SipKey;
  /** Our source ports (-g: one port); try `t` of a probe leaves from first + t mod count. */
  sourcePorts: FilterPorts;
  /** -S: the source address; otherwise the kernel's choice for each destination. */
  source?: Uint8Array;
  ttl: number;
  /** Messages per sendmmsg/recvmmsg call. */
  batch: number;
}

export interface SynProbe {
  /** IPv4 address, network order. */
  destination: Uint8Array;
  port: number;
  attempt: number;
}

/** An answer that acknowledged our cookie; its views are valid during the callback only. */
export interface SynAnswer extends Answer {
  /** Which try it answers (from the port it came back to), modulo the source port count. */
  attempt: number;
}

export interface SynCounters {
  sent: number;
  /** Sends the kernel refused for now (ENOBUFS/EAGAIN): the caller sends them again. */
  deferred: number;
  answers: number;
  /** Passed the filter, failed the cookie: forged, stale (another run) or not ours. */
  badCookie: number;
  /** Passed the filter, not a packet the parser reads as an answer. */
  unparsed: number;
}

const SLOT = 64; // one SYN (60 bytes) per send slot

/** Source addresses by destination /24 (one route lookup per /24, bounded). */
const SOURCE_CACHE_LIMIT = 65536;

export class SynTransport {
  readonly counters: SynCounters = { sent: 0, deferred: 0, answers: 0, badCookie: 0, unparsed: 0 };
  private readonly sockets: RawSockets;
  private readonly out: MessageBatch;
  private readonly inbox: MessageBatch;
  private readonly fields: SynFields;
  private readonly flow: Flow;
  private readonly sources = new Map<number, Uint8Array>();
  private readonly portCount: number;
  /** The one answer parsed into, reused (its views are valid during onAnswer only). */
  private readonly answer: SynAnswer = { ...emptyAnswer(), attempt: 0 };

  constructor(private readonly settings: SynTransportSettings) {
    this.sockets = openRawSockets(settings.sourcePorts);
    this.out = new MessageBatch(settings.batch, SLOT);
    // ICMP errors quote up to 576 bytes; the first 256 hold every header we read.
    this.inbox = new MessageBatch(settings.batch, 256);
    this.portCount = settings.sourcePorts.last - settings.sourcePorts.first + 1;
    const zero = new Uint8Array(4);
    this.fields = {
      source: zero,
      destination: zero,
      sourcePort: 0,
      destinationPort: 0,
      seq: 0,
      ipId: 0,
      ttl: settings.ttl,
      timestamp: 0,
    };
    this.flow = { source: zero, destination: zero, sourcePort: 0, destinationPort: 0 };
  }

  private sourceFor(destination: Uint8Array): Uint8Array {
    if (this.settings.source) return this.settings.source;
    const prefix = ((destination[0] as number) << 16) | ((destination[1] as number) << 8);
    const key = prefix | (destination[2] as number);
    let source = this.sources.get(key);
    if (!source) {
      if (this.sources.size >= SOURCE_CACHE_LIMIT) this.sources.clear();
      source = sourceAddressFor(destination);
      this.sources.set(key, source);
    }
    return source;
  }

  /** Send probes[from..to) (at most one batch); returns how many the kernel took. */
  send(probes: ArrayLike<SynProbe>, from: number, to: number): number {
    const n = Math.min(to - from, this.out.capacity);
    const f = this.fields;
    f.timestamp = Date.now() >>> 0;
    for (let i = 0; i < n; i++) {
      const p = probes[from + i] as SynProbe;
      f.source = this.sourceFor(p.destination);
      f.destination = p.destination;
      f.sourcePort = this.settings.sourcePorts.first + (p.attempt % this.portCount);
      f.destinationPort = p.port;
      f.seq = cookieOf(this.settings.key, f);
      f.ipId = f.seq >>> 16;
      writeSynV4(this.out.slots, i * SLOT, f, this.out.view);
      this.out.setDestination(i, p.destination);
      this.out.setLength(i, SYN_V4_LENGTH);
    }
    const s = this.sockets;
    const sent = n === 0 ? 0 : s.c.sendmmsg(s.send, this.out.headers, n, 0);
    if (sent < 0) {
      const e = s.errno();
      if (e !== EAGAIN && e !== ENOBUFS && e !== EINTR) throw new Error(`sendmmsg: errno ${e}`);
      this.counters.deferred += n;
      return 0;
    }
    this.counters.sent += sent;
    this.counters.deferred += n - sent;
    return sent;
  }

  /** Read every answer waiting (both sockets); calls `onAnswer` for those that match. */
  receive(onAnswer: (answer: SynAnswer) => void): number {
    let total = 0;
    for (const fd of [this.sockets.tcp, this.sockets.icmp]) {
      for (;;) {
        const got = this.sockets.c.recvmmsg(
          fd,
          this.inbox.headers,
          this.inbox.capacity,
          MSG_DONTWAIT,
          null,
        );
        if (got <= 0) break;
        for (let i = 0; i < got; i++) total += this.check(i, onAnswer);
        if (got < this.inbox.capacity) break;
      }
    }
    return total;
  }

  private check(i: number, onAnswer: (a: SynAnswer) => void): number {
    const packet = this.inbox.slot(i);
    const length = Math.min(this.inbox.received(i), packet.length);
    const a = parseAnswerV4(packet, length, this.answer, this.inbox.slotView(i));
    if (!a) {
      this.counters.unparsed++;
      return 0;
    }
    const flow = this.flow;
    flow.source = a.local;
    flow.destination = a.remote;
    flow.sourcePort = a.localPort;
    flow.destinationPort = a.remotePort;
    if (!acknowledgesCookie(this.settings.key, flow, a.ack)) {
      this.counters.badCookie++;
      return 0;
    }
    this.counters.answers++;
    this.answer.attempt = a.localPort - this.settings.sourcePorts.first;
    onAnswer(this.answer);
    return 1;
  }

  /** Wait up to `ms` for answers to arrive. */
  wait(ms: number): boolean {
    return waitForAnswers(this.sockets, ms);
  }

  close(): void {
    closeRawSockets(this.sockets);
  }
}
