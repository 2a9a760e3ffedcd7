// The state of one thread's probe loop, as one explicit record: the functions of launch.ts
// (what goes out), outcomes.ts (what an answer or a silence means) and prober.ts (the loop
// itself) all take it as their first argument. Built once per Worker by createLoopState.

import { connectPingPorts } from "../policy/discovery.ts";
import { HostControl } from "../policy/host-control.ts";
import { LocalLimit } from "../policy/local-limit.ts";
import { RatePacer } from "../policy/pacing.ts";
import type { RttEstimator } from "../policy/timing.ts";
import { FdQueue, FdTable } from "../transport/fd-table.ts";
import { IcmpEcho } from "../transport/icmp-echo.ts";
import type { ProbeTransport } from "../transport/probe-transport.ts";
import { createTransport } from "../transport/transports.ts";
import { DeadlineHeap } from "./deadline-heap.ts";
import type { ProbeJob, ProbeMessage } from "./probe-job.ts";
import { Tally } from "./tally.ts";
import { HeldEntries, WorkSource } from "./work-source.ts";

export interface LoopState {
  readonly job: ProbeJob;
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
  readonly estimators: Array<RttEstimator | undefined>;
  /** Self-connects met per (host, port) entry. */
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

/** `leave`: called when the work source skips an entry of a host that is over. */
export function createLoopState(
  job: ProbeJob,
  post: (message: ProbeMessage) => void,
  leave: (s: LoopState, host: number) => void,
): LoopState {
  const table = new FdTable();
  const rate = job.rate;
  const state: LoopState = {
    job,
    post,
    transport: createTransport(job.probe.transport, {
      targets: job.targets,
      engine: job.probe.engine,
      table,
      source: job.probe.source,
    }),
    table,
    deadlines: new DeadlineHeap(),
    bannerWait: new FdQueue(),
    work: new WorkSource(job.order, job.shard, job.pin, job.shared, (host) => leave(state, host)),
    held: new HeldEntries(),
    limit: new LocalLimit(job.concurrency, performance.now()),
    control: new HostControl(job.probe, job.concurrency),
    pacer: rate
      ? new RatePacer({ ratePerSecond: rate.perSecond, epochMs: rate.epochMs }, rate.slot)
      : null,
    tally: new Tally(job.targets.length),
    estimators: [],
    selfConnects: new Map(),
    firstTries: new Uint8Array(job.targets.length),
    errors: {},
    portCount: job.order.portCount,
    pingPorts: connectPingPorts(job.ports),
    pingsPending: new Map(),
    portTally: new Int32Array(job.targets.length * 2),
    sendPings: () => {},
    echo: job.probe.discovery && job.targets.some((t) => t.family === 4) ? IcmpEcho.open() : null,
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
