// HostResults built by hand for the output tests: any mix of states, hosts and names.

import { type HostResult, STATE_CODE } from "../../src/scan/model/results.ts";
import type { ReportInput } from "../../src/scan/output/document.ts";
import { addressBytes } from "../../src/scan/targets/target.ts";

export interface HostSpec {
  address?: string;
  name?: string;
  hostIndex?: number;
  status?: HostResult["status"];
  open?: number[];
  filtered?: number[];
  /** Ports left unprobed (other shard, Ctrl-C). */
  unknown?: number[];
  banners?: Array<[number, string]>;
  /** Reason codes (model/reasons.ts) of some ports; the others have none. */
  reasons?: Array<[number, number]>;
  allOpen?: HostResult["allOpen"];
}

/** A host over `ports`: every port closed unless listed otherwise. */
export function makeHost(ports: number[], spec: HostSpec = {}): HostResult {
  const address = spec.address ?? "127.0.0.1";
  const states = new Uint8Array(ports.length);
  const counts = { scanned: 0, open: 0, closed: 0, filtered: 0 };
  ports.forEach((port, i) => {
    let code: number = STATE_CODE.closed;
    if (spec.unknown?.includes(port)) code = STATE_CODE.unknown;
    else if (spec.open?.includes(port)) code = STATE_CODE.open;
    else if (spec.filtered?.includes(port)) code = STATE_CODE.filtered;
    if (spec.status === "down") code = STATE_CODE.unknown;
    states[i] = code;
    if (code === STATE_CODE.open) counts.open++;
    if (code === STATE_CODE.closed) counts.closed++;
    if (code === STATE_CODE.filtered) counts.filtered++;
  });
  counts.scanned = counts.open + counts.closed + counts.filtered;
  return {
    target: {
      name: spec.name ?? address,
      address,
      family: address.includes(":") ? 6 : 4,
      bytes: addressBytes(address),
      scopeId: 0,
      otherAddresses: [],
    },
    hostIndex: spec.hostIndex ?? 0,
    status: spec.status ?? "up",
    reason: spec.status === "down" ? "no-response" : null,
    ports,
    states,
    reasons: Uint8Array.from(ports, (p) => spec.reasons?.find(([port]) => port === p)?.[1] ?? 0),
    allOpen: spec.allOpen ?? null,
    interrupted: spec.allOpen !== undefined && spec.allOpen !== null,
    discovery: ["scan-ports"],
    banners: new Map(spec.banners ?? []),
    counts,
    startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    elapsedMs: 1234.5,
    timing: { srttMs: 0.084, rttvarMs: 0.076, timeoutMs: 100, samples: 10 },
  };
}

export function range(low: number, high: number): number[] {
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

export const SERVICES = new Map([
  [22, "ssh"],
  [80, "http"],
  [443, "https"],
]);

export function input(hosts: HostResult[], show: ReportInput["show"] = []): ReportInput {
  return {
    identity: {
      targetSpecs: hosts.map((h) => h.target.name),
      excludeSpecs: [],
      portSpec: "1-100",
      excludePortSpec: "",
      seed: 7,
      shard: null,
    },
    ports: hosts[0]?.ports ?? [],
    hosts,
    summary: {
      command: ["/usr/local/bin/tp-scan", "127.0.0.1", "-p", "1-100"],
      startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      elapsedMs: 2000,
      interrupted: false,
      settings: { concurrency: 1000 },
    },
    services: SERVICES,
    show,
  };
}
