// -sU with -sT or -sS in one run: two passes of the engine, TCP then UDP, merged per host into
// one HostResult (its UDP ports listed after its TCP ones, `udpFrom`), so that every output
// writes one record per host with `tcp`/`udp` on each port, as nmap does. The TCP pass's hosts
// wait for their UDP part; a host the TCP pass called down or unreachable is not probed over
// UDP (as nmap skips a down host for every scan type; with -Pn every host gets both).

import type { ScanStats } from "../engine/engine.ts";
import { type ScanSummary, scan } from "../engine/engine.ts";
import type { ScanPlan } from "../model/plan.ts";
import type { HostResult, PortCounts, Protocol, ScanEvents, ScanPass } from "../model/results.ts";
import type { Target } from "../targets/target.ts";

/** The -oX <scaninfo> passes of a plan (and of its UDP plan, when there is one). */
export function scanPasses(plan: ScanPlan, udpPlan: ScanPlan | null): ScanPass[] {
  const first: ScanPass = {
    type: plan.probe.transport,
    protocol: plan.probe.transport === "udp" ? "udp" : "tcp",
    ports: plan.ports,
  };
  return udpPlan ? [first, { type: "udp", protocol: "udp", ports: udpPlan.ports }] : [first];
}

function sumCounts(a: PortCounts, b: PortCounts): PortCounts {
  return {
    scanned: a.scanned + b.scanned,
    open: a.open + b.open,
    closed: a.closed + b.closed,
    filtered: a.filtered + b.filtered,
    "open|filtered": (a["open|filtered"] ?? 0) + (b["open|filtered"] ?? 0),
  };
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * One host's record from its TCP result and its UDP one (null: not probed over UDP, as a down
 * host). `ports` is the scan's TCP ports then its UDP ports (one array for every host).
 */
export function mergeProtocols(
  tcp: HostResult,
  udp: HostResult | null,
  ports: number[],
): HostResult {
  if (udp === null) return { ...tcp, udpFrom: tcp.ports.length };
  const up = tcp.status === "up" ? tcp : udp.status === "up" ? udp : tcp;
  const end = Math.max(
    tcp.startedAt.getTime() + tcp.elapsedMs,
    udp.startedAt.getTime() + udp.elapsedMs,
  );
  return {
    ...tcp,
    status: up.status,
    reason: up.reason,
    ports,
    states: concatBytes(tcp.states, udp.states),
    reasons: concatBytes(tcp.reasons, udp.reasons),
    counts: sumCounts(tcp.counts, udp.counts),
    udpFrom: tcp.ports.length,
    udpBanners: udp.banners,
    elapsedMs: end - tcp.startedAt.getTime(),
    interrupted: tcp.interrupted || udp.interrupted,
    timing: tcp.timing.samples > 0 ? tcp.timing : udp.timing,
  };
}

function sumStats(a: ScanStats, b: ScanStats): ScanStats {
  const errors = { ...a.errors };
  for (const [k, v] of Object.entries(b.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    threads: Math.max(a.threads, b.threads),
    concurrency: Math.max(a.concurrency, b.concurrency),
    probes: a.probes + b.probes,
    retries: a.retries + b.retries,
    localRetries: a.localRetries + b.localRetries,
    selfConnects: a.selfConnects + b.selfConnects,
    peakInFlight: Math.max(a.peakInFlight, b.peakInFlight),
    errors,
    fds: {
      baseline: a.fds.baseline,
      peak: Math.max(a.fds.peak, b.fds.peak),
      after: b.fds.after,
    },
  };
}

export interface PassEvents extends Omit<ScanEvents, "onOpen"> {
  onOpen?(target: Target, hostIndex: number, port: number, protocol: Protocol): void;
}

/**
 * Run `plan` (TCP), then `udpPlanOf(the targets left)` (UDP), each host reported once both are
 * known. `exitsAfter` applies to the last pass only (the first one's Workers must be torn down).
 */
export async function scanTwoProtocols(
  plan: ScanPlan,
  udpPlanOf: (targets: Target[]) => ScanPlan,
  events: PassEvents,
  signal: AbortSignal,
  exitsAfter: boolean,
): Promise<ScanSummary> {
  const waiting = new Map<number, HostResult>();
  const done: HostResult[] = [];
  const report = (host: HostResult) => {
    done.push(host);
    events.onHost?.(host);
  };
  const first = await scan(
    plan,
    {
      onHost: (h) => waiting.set(h.hostIndex, h),
      onOpen: (t, i, p) => events.onOpen?.(t, i, p, "tcp"),
      onProgress: events.onProgress,
    },
    signal,
  );
  // Hosts the TCP pass found down go out now; with Ctrl-C, every one (no UDP pass).
  const left = [...waiting.values()].filter((h) => !signal.aborted && h.status === "up");
  for (const h of waiting.values()) if (!left.includes(h)) report(mergeProtocols(h, null, h.ports));
  if (left.length === 0) return { ...first, hosts: done };
  const udpPlan = udpPlanOf(left.map((h) => h.target));
  const ports = [...plan.ports, ...udpPlan.ports];
  const indexOf = left.map((h) => h.hostIndex);
  const second = await scan(
    udpPlan,
    {
      onHost: (h) => {
        const tcp = left[h.hostIndex] as HostResult;
        report(mergeProtocols(tcp, { ...h, hostIndex: tcp.hostIndex }, ports));
      },
      onOpen: (t, i, p) => events.onOpen?.(t, indexOf[i] as number, p, "udp"),
      onProgress: events.onProgress,
    },
    signal,
    { exitsAfter },
  );
  done.sort((a, b) => a.hostIndex - b.hostIndex);
  return {
    hosts: done,
    elapsedMs: first.elapsedMs + second.elapsedMs,
    interrupted: first.interrupted || second.interrupted,
    stats: sumStats(first.stats, second.stats),
  };
}
