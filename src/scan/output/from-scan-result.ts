// Bridge from today's single-host engine (ScanResult: states by port number) to the contract
// every output reads (HostResult: states by port index). Goes away when the engine reports
// HostResults itself.
import type { ScanResult } from "../engine.ts";
import type { HostResult } from "../results.ts";

export function hostResultOf(result: ScanResult, hostIndex: number): HostResult {
  const states = new Uint8Array(result.ports.length);
  result.ports.forEach((port, i) => {
    states[i] = result.states[port] as number;
  });
  return {
    target: result.target,
    hostIndex,
    status: result.counts.open + result.counts.closed > 0 ? "up" : "down",
    reason: result.interrupted ? "interrupted" : null,
    ports: result.ports,
    states,
    banners: result.banners,
    counts: result.counts,
    startedAt: result.startedAt,
    elapsedMs: result.elapsedMs,
    interrupted: result.interrupted,
    timing: result.timing,
  };
}
