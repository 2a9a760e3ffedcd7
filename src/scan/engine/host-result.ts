// A host's HostResult (results.ts) read out of the engine's shared memory. Pure but for one
// check, once per process, of whether an ICMP echo may be sent (the discovery it says).

import type { ScanPlan } from "../model/plan.ts";
import { type HostReason, REASON_NAMES, REASON_SHIFT, STATE_MASK } from "../model/reasons.ts";
import type { HostResult, HostStatus } from "../model/results.ts";
import { DEFAULT_DISCOVERY, discoveryMethods } from "../policy/discovery.ts";
import { echoAllowed } from "../transport/icmp-echo.ts";
import {
  countStates,
  HOST,
  isHostOver,
  type SharedScan,
  TIMING,
  timingSlot,
} from "./shared-memory.ts";

/** `complete`: the host's scan went to its end (a silent host is then down, unless -Pn). */
export function hostStatusOf(
  code: number,
  reasonCode: number,
  discovery: boolean,
  complete: boolean,
): { status: HostStatus; reason: HostReason | null } {
  const named = REASON_NAMES[reasonCode] ?? null;
  switch (code) {
    case HOST.down:
      return { status: "down", reason: "no-response" };
    case HOST.unreachable:
      return { status: "unreachable", reason: named ?? "host-unreach" };
    case HOST.timedOut:
      return { status: "up", reason: "host-timeout" };
    case HOST.allOpen:
      return { status: "up", reason: "syn-ack" };
    case HOST.unknown:
      // Never answered: with -Pn the user said it is up (nmap: user-set); a scan stopped
      // before the end does not know.
      if (!discovery) return { status: "up", reason: "user-set" };
      return complete ? { status: "down", reason: "no-response" } : { status: "up", reason: null };
    default:
      return { status: "up", reason: named };
  }
}

/** Split the shared bytes of one host's ports into state codes and reason codes, in place. */
function splitStates(packed: Uint8Array): { states: Uint8Array; reasons: Uint8Array } {
  const reasons = new Uint8Array(packed.length);
  for (let i = 0; i < packed.length; i++) {
    const b = packed[i] as number;
    reasons[i] = b >> REASON_SHIFT;
    packed[i] = b & STATE_MASK;
  }
  return { states: packed, reasons };
}

const ALL_OPEN_VERDICTS = [null, "port-threshold", "closed-ports-accept"] as const;

/** Was the host in `slot` cut short: by --host-timeout, or by a stop before it was complete? */
export function hostInterrupted(shared: SharedScan, slot: number, stopped: boolean): boolean {
  const code = Atomics.load(shared.status, slot);
  const complete = Atomics.load(shared.remaining, slot) <= 0;
  return (
    code === HOST.timedOut || code === HOST.allOpen || (stopped && !complete && !isHostOver(code))
  );
}

/** The host in `slot` (host index `host.index`), as the reports take it. */
export function readHostResult(
  plan: ScanPlan,
  shared: SharedScan,
  slot: number,
  host: { index: number; target: HostResult["target"] | null },
  banners: Map<number, string> | undefined,
  run: { startedAt: Date; elapsedMs: number; stopped: boolean },
): HostResult {
  const portCount = plan.ports.length;
  const code = Atomics.load(shared.status, slot);
  const { states, reasons } = splitStates(
    shared.states.slice(slot * portCount, (slot + 1) * portCount),
  );
  // A down or unreachable host's few discovery ports say nothing about its ports.
  if (code === HOST.down || code === HOST.unreachable) {
    states.fill(0);
    reasons.fill(0);
  }
  const counts = countStates(states);
  const complete = Atomics.load(shared.remaining, slot) <= 0;
  const reasonCode = shared.reason[slot] as number;
  const { status, reason } = hostStatusOf(code, reasonCode, plan.probe.discovery, complete);
  const allOpen = code === HOST.allOpen ? (ALL_OPEN_VERDICTS[reasonCode] ?? null) : null;
  const timed = (s: number) => shared.timing[timingSlot(slot, s)] as number;
  const samples = Atomics.load(shared.samples, slot);
  return {
    target: host.target as HostResult["target"],
    hostIndex: host.index,
    status,
    reason,
    ports: plan.ports,
    states,
    reasons,
    allOpen,
    discovery: discoveryMethods(
      { ...DEFAULT_DISCOVERY, assumeUp: !plan.probe.discovery },
      plan.ports,
      plan.probe.discovery && host.target?.family === 4 && echoAllowed(),
    ),
    banners: banners ?? new Map(),
    counts,
    startedAt: run.startedAt,
    elapsedMs: run.elapsedMs,
    interrupted: hostInterrupted(shared, slot, run.stopped),
    ...(plan.probe.transport === "udp" ? { protocol: "udp" as const } : {}),
    timing: {
      srttMs: samples > 0 ? timed(TIMING.srtt) : null,
      rttvarMs: samples > 0 ? timed(TIMING.rttvar) : null,
      timeoutMs:
        samples > 0
          ? timed(TIMING.timeout)
          : (plan.probe.fixedTimeoutMs ?? plan.probe.policy.initialMs),
      samples,
    },
  };
}
