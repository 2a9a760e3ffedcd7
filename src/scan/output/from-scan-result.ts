// Bridge from today's single-host engine (ScanResult: states by port number) to the contract
// every output reads (HostResult: states by port index), and --resume on top of it (probe only
// the ports the file does not hold). Goes away when the engine reports HostResults and takes
// plan.known itself.
import type { ScanResult } from "../engine.ts";
import { type HostResult, STATE_CODE } from "../results.ts";
import { countStates } from "./model.ts";

/** The ports still to probe for a host, given what a resumed file knows of it. */
export function portsToProbe(ports: number[], known: Uint8Array | undefined): number[] {
  return known ? ports.filter((_, i) => known[i] === STATE_CODE.unknown) : ports;
}

export function hostResultOf(
  result: ScanResult,
  hostIndex: number,
  ports: number[] = result.ports,
  known?: Uint8Array,
): HostResult {
  const states = known ? Uint8Array.from(known) : new Uint8Array(ports.length);
  ports.forEach((port, i) => {
    const probed = result.states[port] as number;
    if (probed !== STATE_CODE.unknown) states[i] = probed;
  });
  const counts = countStates(states);
  return {
    target: result.target,
    hostIndex,
    status: counts.open + counts.closed > 0 ? "up" : "down",
    reason: result.interrupted ? "interrupted" : null,
    ports,
    states,
    banners: result.banners,
    counts,
    startedAt: result.startedAt,
    elapsedMs: result.elapsedMs,
    interrupted: result.interrupted,
    timing: result.timing,
  };
}
