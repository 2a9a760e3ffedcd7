// What becomes of a probe (prober.ts runs the loop, launch.ts sends): an answer (open,
// closed, or the network saying the host is unreachable), a timeout (another try, filtered, or
// a silent host called down), a local error (the entry goes back in line). States go into the
// shared memory, events for the main thread into the lists the loop posts.

import { HOST_REASON_CODE } from "../model/reasons.ts";
import { STATE_CODE } from "../model/results.ts";
import { DEFAULT_DISCOVERY, decideLiveness, probeVerdict } from "../policy/discovery.ts";
import { STALL_MS } from "../policy/local-limit.ts";
import { ECONNREFUSED, LOCAL_ERRNOS } from "../sys/libc.ts";
import { MODE_BANNER } from "../transport/fd-table.ts";
import type { LoopState } from "./loop-state.ts";
import {
  answered,
  countError,
  errnoName,
  hostOver,
  leave,
  markOpen,
  release,
  settle,
} from "./probe-bookkeeping.ts";
import { CTL, HOST } from "./shared-memory.ts";

const SELF_CONNECT_TRIES = 4;
/**
 * A host's first entries, its discovery probes: until it answers only these go, and when all
 * of them ended unanswered it gets its pings, then is called down or unreachable
 * (discovery.ts: DEFAULT_DISCOVERY, decideLiveness).
 */
export const DISCOVERY_ROUNDS = DEFAULT_DISCOVERY.probes;
/** Pings are sent once, with the timeout of a discovery port's last try (300+600+1200 ms). */
export const PING_ATTEMPT = DEFAULT_DISCOVERY.tries - 1;

/** A local resource error: the entry goes back in line and the pace drops. */
function localRetry(s: LoopState, host: number, portIndex: number, attempt: number, e: number) {
  countError(s, e);
  s.tally.count(CTL.localRetries);
  s.work.again(host, portIndex, attempt);
  if (s.limit.hit(s.inFlight, performance.now())) {
    // Not one probe could start for seconds: not a passing shortage but a machine that
    // cannot reach its targets at all (e.g. EADDRNOTAVAIL: no usable source address).
    s.fatal ??= `cannot start probes for ${STALL_MS / 1000} s (${errnoName(e)})`;
  }
}

/** The probe met itself on loopback: nothing listens there. Probe again, then call it closed. */
export function selfConnected(s: LoopState, host: number, portIndex: number, attempt: number) {
  if (portIndex >= s.portCount) {
    pingEnded(s, host, ECONNREFUSED, 0);
    return;
  }
  s.tally.count(CTL.selfConnects);
  const key = host * s.portCount + portIndex;
  const tries = (s.selfConnects.get(key) ?? 0) + 1;
  s.selfConnects.set(key, tries);
  if (tries >= SELF_CONNECT_TRIES)
    settle(s, host, portIndex, STATE_CODE.closed, HOST_REASON_CODE["conn-refused"]);
  else s.work.again(host, portIndex, attempt);
}

/** The probe on handle `h` found (host, port index) open. */
export function opened(
  s: LoopState,
  h: number,
  host: number,
  portIndex: number,
  attempt: number,
  rttMs: number,
): void {
  if (portIndex >= s.portCount) {
    release(s, h);
    pingEnded(s, host, 0, rttMs);
    return;
  }
  answered(s, host, rttMs, attempt, false);
  if (s.job.probe.bannerMs > 0 && waitForBanner(s, h, host, portIndex)) {
    // Its state is known now; the entry is left once the banner is read.
    markOpen(s, host, portIndex);
    return;
  }
  release(s, h);
  settle(s, host, portIndex, STATE_CODE.open, HOST_REASON_CODE["syn-ack"]);
}

/** A probe ended with errno `e` (the transport has released it). */
export function failed(
  s: LoopState,
  host: number,
  portIndex: number,
  attempt: number,
  e: number,
  rttMs: number,
): void {
  if (portIndex >= s.portCount) {
    pingEnded(s, host, LOCAL_ERRNOS.has(e) ? null : e, rttMs);
    return;
  }
  if (e === ECONNREFUSED) {
    answered(s, host, rttMs, attempt, true);
    settle(s, host, portIndex, STATE_CODE.closed, HOST_REASON_CODE["conn-refused"]);
    return;
  }
  if (LOCAL_ERRNOS.has(e)) {
    localRetry(s, host, portIndex, attempt, e);
    return;
  }
  countError(s, e);
  // Unreachable, administratively prohibited: something in the way answered instead of the
  // port (nmap: filtered, with the error). On a host that has not answered yet it is evidence
  // for "unreachable", weighed with its other discovery probes (discovery.ts), no more.
  const verdict = probeVerdict(e);
  const why = HOST_REASON_CODE[verdict.reason];
  const { shared } = s.job;
  if (verdict.unreachable) Atomics.compareExchange(shared.reason, host, 0, why);
  settle(s, host, portIndex, STATE_CODE.filtered, why);
  if (Atomics.load(shared.status, host) === HOST.unknown) discoveryPortUnanswered(s, host);
}

/**
 * One more of `host`'s discovery ports ended without an answer. The Worker whose port is the
 * last of them sends the host's pings, or decides at once when it gets none.
 */
function discoveryPortUnanswered(s: LoopState, host: number): void {
  if (!s.job.probe.discovery) return;
  const spent = Math.min(DISCOVERY_ROUNDS, s.portCount);
  if (Atomics.add(s.job.shared.silent, host, 1) + 1 !== spent) return;
  s.sendPings(host);
}

/** No answer to any discovery probe, pings included: down, or unreachable on evidence. */
export function concludeSilent(s: LoopState, host: number): void {
  const { shared } = s.job;
  const liveness = decideLiveness({
    answered: Atomics.load(shared.status, host) !== HOST.unknown,
    discoveryPorts: 0,
    unansweredDiscoveryPorts: 0,
    unreachable: Atomics.load(shared.reason, host) === 0 ? 0 : 1,
    pings: "over",
    assumeUp: !s.job.probe.discovery,
  });
  if (liveness === "down") hostOver(s, host, HOST.down, HOST_REASON_CODE["no-response"]);
  else if (liveness === "unreachable")
    hostOver(s, host, HOST.unreachable, Atomics.load(shared.reason, host));
}

/** A ping (a connect to a port outside the list) of `host` ended; `errno`: 0 open, null silent. */
export function pingEnded(s: LoopState, host: number, errno: number | null, rttMs: number): void {
  const verdict = probeVerdict(errno);
  if (verdict.answered) answered(s, host, rttMs, PING_ATTEMPT, verdict.state === "closed");
  else if (verdict.unreachable)
    Atomics.compareExchange(s.job.shared.reason, host, 0, HOST_REASON_CODE[verdict.reason]);
  pingOver(s, host);
}

/** The echo request to `host` was answered, or its time is over (echo-ping.ts). */
export function echoEnded(s: LoopState, host: number, replied: boolean): void {
  const { status, reason } = s.job.shared;
  if (replied && Atomics.compareExchange(status, host, HOST.unknown, HOST.up) === HOST.unknown)
    Atomics.store(reason, host, HOST_REASON_CODE["echo-reply"]);
  pingOver(s, host);
}

/** One ping of `host` is over: after its last, a host still silent is concluded. */
function pingOver(s: LoopState, host: number): void {
  s.tally.leave(host); // a ping counts in the host's remaining entries (launch.ts sendPings)
  const left = (s.pingsPending.get(host) ?? 1) - 1;
  if (left > 0) {
    s.pingsPending.set(host, left);
    return;
  }
  s.pingsPending.delete(host);
  concludeSilent(s, host);
}

/** No answer in time on handle `h`: another try, or filtered (a silent host is called down). */
export function timedOut(
  s: LoopState,
  h: number,
  host: number,
  portIndex: number,
  attempt: number,
) {
  const sentAt = s.table.sentAt[h] as number;
  release(s, h); // closing a SYN_SENT socket frees it at once
  if (portIndex >= s.portCount) {
    pingEnded(s, host, null, 0);
    return;
  }
  s.control.timedOut(host, sentAt);
  const { shared } = s.job;
  const answeredYet = Atomics.load(shared.status, host) !== HOST.unknown;
  if (attempt < s.control.lastAttempt(host, answeredYet)) {
    s.tally.count(CTL.retries);
    s.work.again(host, portIndex, attempt + 1);
    return;
  }
  // A silent UDP port may be open (its service ignored the payload) or filtered: nmap -sU.
  const silent =
    s.job.probe.transport === "udp" ? STATE_CODE["open|filtered"] : STATE_CODE.filtered;
  settle(s, host, portIndex, silent, HOST_REASON_CODE["no-response"]);
  if (Atomics.load(shared.status, host) === HOST.unknown) discoveryPortUnanswered(s, host);
}

function waitForBanner(s: LoopState, h: number, host: number, portIndex: number): boolean {
  if (!s.transport.watchReply(h)) return false;
  s.table.track(h, host, portIndex, 0, performance.now());
  s.table.mode[h] = MODE_BANNER;
  s.bannerWait.push(h, s.table.gen[h] as number);
  s.inFlight++;
  return true;
}

/** Read what an open port said; `final` at the deadline, else only if data is there. */
export function readBanner(s: LoopState, h: number, final: boolean): void {
  const text = s.transport.readReply(h);
  if (text === null && !final) return; // nothing yet: a spurious wake-up
  const host = s.table.host[h] as number;
  const portIndex = s.table.portIndex[h] as number;
  if (text) s.banners.push([host, s.job.ports[portIndex] as number, text]);
  s.inFlight--;
  release(s, h);
  leave(s, host);
}
