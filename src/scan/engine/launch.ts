// What a probe loop sends, and when (prober.ts runs the loop): entries of the work source go
// out while this Worker's part of -c, the per-host policies (policy/host-control.ts), --rate
// and the local limit allow; an entry that may not go yet is held for its host.
import { crossThreadNowMs } from "../policy/pacing.ts";
import { LOCAL_ERRNOS } from "../sys/libc.ts";
import { OPEN, PENDING, SELF } from "../transport/probe-transport.ts";
import { sendEcho } from "./echo-ping.ts";
import type { LoopState } from "./loop-state.ts";
import {
  concludeSilent,
  DISCOVERY_ROUNDS,
  failed,
  opened,
  PING_ATTEMPT,
  selfConnected,
} from "./outcomes.ts";
import { hostOver, leave, timeoutFor } from "./probe-bookkeeping.ts";
import { CTL, HOST, isHostOver, TIMING, timingSlot } from "./shared-memory.ts";

/** Start a probe of (host, port index): it settles at once or waits for the transport. */
function launch(s: LoopState, host: number, portIndex: number, attempt: number): void {
  const { transport } = s;
  const sentAt = performance.now();
  s.settledHere = true;
  const port =
    portIndex < s.portCount ? s.job.ports[portIndex] : s.pingPorts[portIndex - s.portCount];
  const outcome = transport.start(host, port as number);
  // A probe that met a local error never left: it is not counted, and does not end a pause.
  if (!LOCAL_ERRNOS.has(outcome)) {
    s.tally.count(CTL.probes);
    s.limit.started(sentAt);
  }
  if (outcome !== PENDING) {
    const rtt = performance.now() - sentAt;
    if (outcome === OPEN) opened(s, transport.handle, host, portIndex, attempt, rtt);
    else if (outcome === SELF) selfConnected(s, host, portIndex, attempt);
    else failed(s, host, portIndex, attempt, outcome, rtt);
    s.settledHere = false;
    return;
  }
  s.settledHere = false;
  const h = transport.handle;
  s.control.launched(host, sentAt);
  s.table.track(h, host, portIndex, attempt, sentAt);
  s.deadlines.push(sentAt + timeoutFor(s, host, attempt), h, s.table.gen[h] as number);
  if (++s.inFlight > s.peakInFlight) s.peakInFlight = s.inFlight;
}

/** Send `host`'s connect pings (its discovery ports are spent): one try each, the longest. */
export function sendPings(s: LoopState, host: number): void {
  const echo = s.echo !== null && s.targets[host]?.family === 4;
  s.pingsPending.set(host, s.pingPorts.length + (echo ? 1 : 0));
  if (echo && !sendEcho(s, host)) s.pingsPending.set(host, s.pingPorts.length);
  // The pings count as the host's entries until they end, so that the host is neither final
  // nor its slot given away (host-window.ts) while one is in flight.
  const pings = s.pingsPending.get(host) as number;
  if (pings > 0) Atomics.add(s.job.shared.remaining, host, pings);
  for (let i = 0; i < s.pingPorts.length; i++) launch(s, host, s.portCount + i, PING_ATTEMPT);
  if (pings !== 0) return;
  s.pingsPending.delete(host); // no ping to send: decide on the discovery ports alone
  concludeSilent(s, host);
}

/** --host-timeout: is `host` past it (it is then reported with what it has)? */
function hostTimedOut(s: LoopState, host: number): boolean {
  const limit = s.job.probe.hostTimeoutMs;
  if (limit === null) return false;
  const { timing } = s.job.shared;
  const slot = timingSlot(host, TIMING.startedAt);
  const now = crossThreadNowMs();
  const started = timing[slot] as number;
  if (started === 0) timing[slot] = now;
  if (started === 0 || now - started <= limit) return false;
  hostOver(s, host, HOST.timedOut, 0);
  return true;
}

/**
 * Launch (host, port index) if its host and --rate allow it now; false to hold it. Until a
 * host has answered, only the first DISCOVERY_ROUNDS entries of it this Worker meets go (the
 * usual ports, see order.ts): a dead address costs those, not a timeout cycle per port.
 */
function offer(s: LoopState, host: number, portIndex: number, attempt: number, now: number) {
  const status = Atomics.load(s.job.shared.status, host);
  if (isHostOver(status) || hostTimedOut(s, host)) {
    leave(s, host);
    return true;
  }
  const discovering = attempt === 0 && s.job.probe.discovery && status === HOST.unknown;
  if (discovering && (s.firstTries[host] as number) >= DISCOVERY_ROUNDS) return false;
  if (!s.control.mayLaunch(host, attempt, now)) return false;
  if (s.pacer) {
    const at = crossThreadNowMs();
    if (!s.pacer.tryTake(at)) {
      s.nextPaceAt = performance.now() + (s.pacer.nextSendTime(at) - at);
      return false;
    }
  }
  const errors = s.limit.errors;
  launch(s, host, portIndex, attempt);
  // A probe that met a local error never left: it does not count as a discovery probe.
  if (discovering && s.limit.errors === errors)
    s.firstTries[host] = (s.firstTries[host] as number) + 1;
  return true;
}

/** Start probes up to what is allowed now; false once no work is left to start. */
export function fill(s: LoopState, now: number): boolean {
  const { limit, held, work } = s;
  limit.tick(now);
  s.control.update(now, (host) => timeoutFor(s, host, 0));
  const room = () => s.inFlight < limit.cap && now >= limit.pauseUntil;
  const take = (host: number, portIndex: number, attempt: number) =>
    offer(s, host, portIndex, attempt, now);
  held.drain(take, room);
  // Retries go even when many entries are held: they may be what unblocks them.
  const claim = () => held.length < s.job.concurrency || work.retriesWaiting > 0;
  const { ctl } = s.job.shared;
  let taken = 0;
  while (room() && claim() && s.nextPaceAt === 0) {
    // On the main thread, a turn gives the event loop back in time (see turns()).
    if (s.turnEndsAt !== Infinity && performance.now() >= s.turnEndsAt) break;
    // On loopback every probe settles inside start(), so room never runs out and this loop
    // could take a whole scan in one call: look at the stop flag (Ctrl-C) every 256 entries.
    if ((++taken & 255) === 0 && Atomics.load(ctl, CTL.stop) !== 0) break;
    if (!work.next()) return held.length > 0 || work.blocked;
    const { host, portIndex, attempt } = work;
    if (!take(host, portIndex, attempt)) held.push(host, portIndex, attempt);
    if (limit.pauseUntil > now) break; // a local error
  }
  return true;
}
