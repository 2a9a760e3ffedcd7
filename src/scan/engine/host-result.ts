// A host's HostResult (results.ts) read out of the engine's shared memory. Pure.

import type { ScanPlan } from "../model/plan.ts";
import type { HostResult, HostStatus } from "../model/results.ts";
import { errnoNames } from "../sys/libc.ts";
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
): { status: HostStatus; reason: string | null } {
  switch (code) {
    case HOST.down:
      return { status: "down", reason: "no-response" };
    case HOST.unreachable:
      return { status: "unreachable", reason: errnoNames[reasonCode] ?? `errno ${reasonCode}` };
    case HOST.timedOut:
      return { status: "up", reason: "host-timeout" };
    case HOST.unknown:
      // Never answered: with -Pn the user said it is up (nmap says the same); a scan stopped
      // before the end does not know.
      return discovery && complete
        ? { status: "down", reason: "no-response" }
        : { status: "up", reason: null };
    default:
      return { status: "up", reason: null };
  }
}

/** Was `host` cut short: by --host-timeout, or by a stop before its scan was complete? */
export function hostInterrupted(shared: SharedScan, host: number, stopped: boolean): boolean {
  const code = Atomics.load(shared.status, host);
  const complete = Atomics.load(shared.remaining, host) <= 0;
  return code === HOST.timedOut || (stopped && !complete && !isHostOver(code));
}

export function readHostResult(
  plan: ScanPlan,
  shared: SharedScan,
  host: number,
  banners: Map<number, string>,
  run: { startedAt: Date; elapsedMs: number; stopped: boolean },
): HostResult {
  const portCount = plan.ports.length;
  const code = Atomics.load(shared.status, host);
  const states = shared.states.slice(host * portCount, (host + 1) * portCount);
  // A down host's few timed-out ports say nothing about its ports: nobody is there.
  if (code === HOST.down) states.fill(0);
  const counts = countStates(states);
  const complete = Atomics.load(shared.remaining, host) <= 0;
  const reasonCode = shared.reason[host] as number;
  const { status, reason } = hostStatusOf(code, reasonCode, plan.probe.discovery, complete);
  const slot = (s: number) => shared.timing[timingSlot(host, s)] as number;
  const samples = Atomics.load(shared.samples, host);
  return {
    target: plan.targets[host] as HostResult["target"],
    hostIndex: host,
    status,
    reason,
    ports: plan.ports,
    states,
    banners,
    counts,
    startedAt: run.startedAt,
    elapsedMs: run.elapsedMs,
    interrupted: hostInterrupted(shared, host, run.stopped),
    timing: {
      srttMs: samples > 0 ? slot(TIMING.srtt) : null,
      rttvarMs: samples > 0 ? slot(TIMING.rttvar) : null,
      timeoutMs:
        samples > 0
          ? slot(TIMING.timeout)
          : (plan.probe.fixedTimeoutMs ?? plan.probe.policy.initialMs),
      samples,
    },
  };
}
