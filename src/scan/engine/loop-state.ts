// The state of one thread's probe loop, as one explicit record: the functions of launch.ts
// (what goes out), outcomes.ts (what an answer or a silence means) and prober.ts (the loop
// itself) all take it as their first argument. Built once per Worker by createLoopState.

import { connectPingPorts } from "../policy/discovery.ts";
import { HostControl } from "../policy/host-control.ts";
import { LocalLimit } from "../policy/local-limit.ts";
import { RatePacer } from "../policy/pacing.ts";
import type { RttEstimator } from "../policy/timing.ts";
import { addressAt } from "../targets/space.ts";
import { FdQueue, FdTable } from "../transport/fd-table.ts";
import { IcmpEcho } from "../transport/icmp-echo.ts";
import type { ProbeAddress } from "../transport/probe-socket.ts";
import type { ProbeTransport } from "../transport/probe-transport.ts";
import { createTransport } from "../transport/transports.ts";
import { DeadlineHeap } from "./deadline-heap.ts";
import type { ProbeJob, ProbeMessage } from "./probe-job.ts";
import { CTL } from "./shared-memory.ts";
import { Tally } from "./tally.ts";
import { HeldEntries, WorkSource } from "./work-source.ts";

export interface LoopState {
  readonly job: ProbeJob;
  /** The address of the host in each slot (host-window.ts), set when this loop meets it. */
  readonly targets: ProbeAddress[];
  readonly post: (message: ProbeMessage) => void;
  /** How probes go out and come back (connect today): probe-transport.ts. */
  readonly transport: ProbeTransport;
  /** What each handle in flight is: host, port index, try, since when. */
  readonly table: FdTable;
  readonly deadlines: DeadlineHeap;
  /** Open ports whose banner is being read, oldest first. */
  readonly bannerWait: FdQueue;
  readonly work: WorkSource;
  /** Entries taken from the work whose host or --rate did not let them go yet. */
  readonly held: HeldEntries;
  readonly limit: LocalLimit;
  readonly control: HostControl;
  readonly pacer: RatePacer | null;
  readonly tally: Tally;
  /** Per slot (as every per-host table here: its size is the window's, not the scan's). */
  readonly estimators: Array<RttEstimator | undefined>;
  /** Slots whose host this loop keeps state for (estimators, host-control), until it is over. */
  readonly live: number[];
  /** When `live` was last swept (sweepSlots). */
  sweptAt: number;
  /** Self-connects met per (slot, port) entry. */
  readonly selfConnects: Map<number, number>;
  /** First tries sent to each host while it had not answered (its discovery probes). */
  readonly firstTries: Uint8Array;
  readonly errors: Record<string, number>;
  readonly portCount: number;
  /** Connect pings outside the scanned list (80, 443); probed as port index portCount + i. */
  readonly pingPorts: readonly number[];
  /** Pings in flight per host whose pings this Worker sent. */
  readonly pingsPending: Map<number, number>;
  /** Per host, this Worker's open ports and settled ports (the all-open detector). */
  readonly portTally: Int32Array;
  /** This Worker's ICMP echo socket, where it may have one (discovery on, IPv4 targets). */
  readonly echo: IcmpEcho | null;
  /** Hosts awaiting an echo reply, by address (addressKey), and until when. */
  readonly echoByAddress: Map<number, number[]>;
  readonly echoDeadlines: Map<number, number>;
  /** Send `host`'s pings (launch.ts): its discovery ports are spent. */
  sendPings: (host: number) => void;
  inFlight: number;
  peakInFlight: number;
  fatal: string | undefined;
  /** Set while a probe is settled inside transport.start(): an answer from this machine. */
  settledHere: boolean;
  /** --rate: no probe before this time (0: none waiting). */
  nextPaceAt: number;
  /** When the current call of turns() must give the thread back (Infinity in a Worker). */
  turnEndsAt: number;
  // Events for the main thread, posted once per turn.
  opens: number[];
  finals: number[];
  banners: Array<[number, number, string]>;
}

/** What a loop forgets of the last host of `slot` when it meets a new one there. */
function enterSlot(s: LoopState, slot: number, host: number): void {
  s.targets[slot] = addressAt(s.job.addresses, host);
  s.live.push(slot);
  s.estimators[slot] = undefined;
  s.firstTries[slot] = 0;
  s.portTally[slot * 2] = 0;
  s.portTally[slot * 2 + 1] = 0;
  s.control.forget(slot);
  if (s.selfConnects.size > 0) {
    const first = slot * s.portCount;
    for (const key of s.selfConnects.keys())
      if (key >= first && key < first + s.portCount) s.selfConnects.delete(key);
  }
}

/** How often a loop forgets the hosts that are over (a few thousand slots to look at, at most). */
const SWEEP_MS = 100;

/**
 * Forget what this loop keeps of hosts that are over (every entry and ping of theirs settled:
 * nothing of them is in this loop any more), so that its memory is that of the hosts in flight:
 * /16 x 2 ports, two threads, 65536 RTT estimators and host states each before.
 */
export function sweepSlots(s: LoopState, now: number): void {
  if (now - s.sweptAt < SWEEP_MS) return;
  s.sweptAt = now;
  const { remaining } = s.job.shared;
  let kept = 0;
  for (const slot of s.live) {
    if (Atomics.load(remaining, slot) > 0) s.live[kept++] = slot;
    else {
      s.estimators[slot] = undefined;
      s.control.forget(slot);
    }
  }
  s.live.length = kept;
}

/** `leave`: called when the work source skips an entry of a host that is over. */
export function createLoopState(
  job: ProbeJob,
  post: (message: ProbeMessage) => void,
  leave: (s: LoopState, host: number) => void,
): LoopState {
  const table = new FdTable();
  const rate = job.rate;
  const slots = job.shared.slotHost.length;
  // Until a loop meets a slot's host: an address no probe goes to (every entry enters first).
  const targets: ProbeAddress[] = Array.from({ length: slots }, () => UNSET_ADDRESS);
  const hooks = {
    skipped: (slot: number) => leave(state, slot),
    known: () => state.tally.count(CTL.done),
    enter: (slot: number, host: number) => enterSlot(state, slot, host),
  };
  const state: LoopState = {
    job,
    targets,
    post,
    transport: createTransport(job.probe.transport, {
      targets,
      engine: job.probe.engine,
      table,
      source: job.probe.source,
    }),
    table,
    deadlines: new DeadlineHeap(),
    bannerWait: new FdQueue(),
    work: new WorkSource(job.order, job.shard, job.pin, job.shared, hooks),
    held: new HeldEntries(),
    limit: new LocalLimit(job.concurrency, performance.now()),
    control: new HostControl(job.probe, job.concurrency),
    pacer: rate
      ? new RatePacer({ ratePerSecond: rate.perSecond, epochMs: rate.epochMs }, rate.slot)
      : null,
    tally: new Tally(slots),
    estimators: [],
    live: [],
    sweptAt: 0,
    selfConnects: new Map(),
    firstTries: new Uint8Array(slots),
    errors: {},
    portCount: job.order.portCount,
    pingPorts: connectPingPorts(job.ports),
    pingsPending: new Map(),
    portTally: new Int32Array(slots * 2),
    sendPings: () => {},
    echo: job.probe.discovery && job.addresses.ipv4 ? IcmpEcho.open() : null,
    echoByAddress: new Map(),
    echoDeadlines: new Map(),
    inFlight: 0,
    peakInFlight: 0,
    fatal: undefined,
    settledHere: false,
    nextPaceAt: 0,
    turnEndsAt: Number.POSITIVE_INFINITY,
    opens: [],
    finals: [],
    banners: [],
  };
  return state;
}

const UNSET_ADDRESS: ProbeAddress = { family: 4, bytes: new Uint8Array(4), scopeId: 0 };
