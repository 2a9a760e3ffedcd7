// Reading --jsonl files back (tp-scan merge, --resume): every line checked, the scans they
// come from compared, and the hosts rebuilt as HostResults with every state the files hold.
import { RuntimeError } from "../../shared/errors.ts";
import { countStates } from "../engine/shared-memory.ts";
import { type HostResult, type ScanIdentity, STATE_CODE } from "../model/results.ts";
import { parsePortSpec } from "../ports/port-spec.ts";
import { addressBytes } from "../targets/target.ts";
import { STATES } from "./document.ts";
import type { HostLine, JsonlLine, PortLine, RunLine, ScanLine } from "./jsonl.ts";

export interface JsonlFile {
  name: string;
  text: string;
}

export interface MergedScan {
  identity: ScanIdentity;
  /** Every port of the plan, sorted. */
  ports: number[];
  hosts: HostResult[];
  /** The first scan's start, and the runs' settings. */
  startedAt: Date;
  elapsedMs: number;
  settings: Record<string, unknown>;
  /** Some part ended before its end (Ctrl-C), or ended without its run line (killed). */
  interrupted: boolean;
  /** Shard indexes seen (1-based); empty for unsharded runs. */
  shards: number[];
  /** Ports given two different states by two parts (the later part wins). */
  conflicts: number;
}

function parseLines(file: JsonlFile): JsonlLine[] {
  const out: JsonlLine[] = [];
  file.text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let line: JsonlLine;
    try {
      line = JSON.parse(raw);
    } catch {
      // A run killed mid-write leaves a cut last line: the lines before it are whole.
      if (i === file.text.split("\n").length - 1) return;
      throw new RuntimeError(`${file.name}:${i + 1}: not a tp-scan --jsonl line`);
    }
    if (!line || !["scan", "port", "host", "run"].includes((line as { type?: string }).type ?? ""))
      throw new RuntimeError(`${file.name}:${i + 1}: not a tp-scan --jsonl line`);
    out.push(line);
  });
  if (out[0]?.type !== "scan")
    throw new RuntimeError(`${file.name}: not a tp-scan --jsonl file (no scan line first)`);
  return out;
}

/** Why two parts cannot be merged, or null when they are parts of one scan. */
export function scanMismatch(a: ScanIdentity, b: ScanIdentity): string | null {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (!same(a.targetSpecs, b.targetSpecs) || !same(a.excludeSpecs, b.excludeSpecs))
    return `different targets (${a.targetSpecs.join(" ")} vs ${b.targetSpecs.join(" ")})`;
  if (a.portSpec !== b.portSpec || a.excludePortSpec !== b.excludePortSpec)
    return `different ports (${a.portSpec} vs ${b.portSpec})`;
  if (a.seed !== b.seed) return `different seeds (${a.seed} vs ${b.seed})`;
  if ((a.shard?.count ?? 1) !== (b.shard?.count ?? 1))
    return `different shard counts (${a.shard?.count ?? 1} vs ${b.shard?.count ?? 1})`;
  return null;
}

interface HostParts {
  line: HostLine | PortLine;
  states: Uint8Array;
  banners: Map<number, string>;
  statuses: Set<HostResult["status"]>;
  reason: string | null;
  startedAt: Date | null;
  elapsedMs: number;
  timing: HostLine["timing"] | null;
}

/** A host line of one part into the host's merged parts (`set`: one port's state). */
function addHostLine(
  parts: HostParts,
  line: HostLine,
  set: (port: number, code: number) => void,
): void {
  parts.line = line;
  for (const state of STATES) {
    const spec = line[state];
    if (spec) for (const p of parsePortSpec(spec)) set(p, STATE_CODE[state]);
  }
  parts.statuses.add(line.status);
  parts.reason ??= line.reason;
  const started = new Date(line.startedAt);
  if (!parts.startedAt || started < parts.startedAt) parts.startedAt = started;
  parts.elapsedMs += line.elapsedMs;
  // A resumption that probed nothing has no round-trip time: keep the one measured.
  if (line.timing.srttMs !== null || !parts.timing) parts.timing = line.timing;
}

/** A host seen first: its parts, every port unknown yet. */
function newParts(line: HostLine | PortLine, portCount: number): HostParts {
  return {
    line,
    states: new Uint8Array(portCount),
    banners: new Map(),
    statuses: new Set(),
    reason: null,
    startedAt: null,
    elapsedMs: 0,
    timing: null,
  };
}

/** Merge parts of one scan (shards, a run and its resumption) into one set of hosts. */
export function mergeJsonl(files: JsonlFile[]): MergedScan {
  let first: { scan: ScanLine; file: string } | null = null;
  let ports: number[] = [];
  let index = new Map<number, number>();
  const hosts = new Map<number, HostParts>();
  const shards = new Set<number>();
  const runs: RunLine[] = [];
  let scans = 0;
  let conflicts = 0;
  const set = (parts: HostParts, port: number, code: number) => {
    const i = index.get(port);
    if (i === undefined) return;
    if (parts.states[i] !== 0 && parts.states[i] !== code) conflicts++;
    parts.states[i] = code;
  };
  const partsOf = (line: HostLine | PortLine): HostParts => {
    let parts = hosts.get(line.hostIndex);
    if (!parts) {
      parts = newParts(line, ports.length);
      hosts.set(line.hostIndex, parts);
    }
    return parts;
  };
  for (const file of files) {
    for (const line of parseLines(file)) {
      if (line.type === "scan") {
        scans++;
        if (line.identity.shard) shards.add(line.identity.shard.index);
        if (!first) {
          first = { scan: line, file: file.name };
          ports = parsePortSpec(line.ports);
          index = new Map(ports.map((p, i) => [p, i]));
          continue;
        }
        const why = scanMismatch(first.scan.identity, line.identity);
        if (why)
          throw new RuntimeError(`${file.name} is not from the scan of ${first.file}: ${why}`);
      } else if (line.type === "port") {
        const parts = partsOf(line);
        set(parts, line.port, STATE_CODE[line.state]);
        if (line.banner !== undefined) parts.banners.set(line.port, line.banner);
      } else if (line.type === "host") {
        const parts = partsOf(line);
        addHostLine(parts, line, (port, code) => set(parts, port, code));
      } else runs.push(line);
    }
  }
  if (!first) throw new RuntimeError("no file to merge");
  const scan = first.scan;
  const result = [...hosts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([hostIndex, parts]) => hostOf(hostIndex, parts, ports));
  const shardCount = scan.identity.shard?.count ?? 1;
  return {
    identity: { ...scan.identity, shard: shards.size === shardCount ? null : scan.identity.shard },
    ports,
    hosts: result,
    startedAt: new Date(scan.startedAt),
    elapsedMs: runs.reduce((sum, r) => sum + r.elapsedMs, 0),
    settings: runs[0]?.settings ?? {},
    interrupted: runs.length < scans || runs.some((r) => r.interrupted),
    shards: [...shards].sort((a, b) => a - b),
    conflicts,
  };
}

function hostOf(hostIndex: number, parts: HostParts, ports: number[]): HostResult {
  const { line, states } = parts;
  const counts = countStates(states);
  // A host seen only through its port lines answered: it is up, and its scan was cut short.
  const status =
    parts.statuses.has("up") || parts.statuses.size === 0
      ? "up"
      : parts.statuses.has("unreachable")
        ? "unreachable"
        : "down";
  const family = line.address.includes(":") ? 6 : 4;
  return {
    target: {
      name: line.host,
      address: line.address,
      family,
      bytes: addressBytes(line.address),
      scopeId: 0,
      otherAddresses: line.type === "host" ? line.otherAddresses : [],
    },
    hostIndex,
    status,
    reason: status === "up" ? null : parts.reason,
    ports,
    states,
    // JSONL does not carry reasons yet (the outputs' part of issue 18).
    reasons: new Uint8Array(ports.length),
    allOpen: null,
    discovery: [],
    banners: parts.banners,
    counts,
    startedAt: parts.startedAt ?? new Date(0),
    elapsedMs: parts.elapsedMs,
    interrupted: status === "up" && counts.scanned < ports.length,
    timing: { samples: 0, ...(parts.timing ?? { srttMs: null, rttvarMs: null, timeoutMs: 0 }) },
  };
}
