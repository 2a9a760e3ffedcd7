// The flags of `tp-scan`, checked, as the one settings object of the scan: its `probe` part is
// what every probe loop reads (model/settings.ts), carried whole into the plan and the Workers.
import { UsageError } from "../../shared/errors.ts";
import { parseDuration, parseInteger } from "../../shared/parsers.ts";
import { BANNER_WAIT_MS, randomSeed } from "../model/plan.ts";
import type { PortState } from "../model/results.ts";
import type { OrderSettings, ProbeRequest } from "../model/settings.ts";
import { DEFAULT_TIMING } from "../policy/timing.ts";
import { type TargetSettings, targetSettings } from "../targets/settings.ts";
import { parseEngine } from "../transport/engine-flag.ts";
import { checkRawPrivilege } from "../transport/syn/raw-socket.ts";
import { parseSourceAddress } from "../transport/syn/syn-probe-transport.ts";
import { twoProtocols, udpPassPorts } from "./udp-pass.ts";

const MAX_CONCURRENCY = 100_000;

export interface ScanSettings extends TargetSettings, OrderSettings {
  probe: ProbeRequest;
  /** -sU with -sT/-sS: the UDP pass's ports (run/protocol-passes.ts); null: one protocol. */
  udpPorts: number[] | null;
  output: "text" | "json" | "list";
  show: PortState[];
  /** --reason: the text report says why each port has its state. */
  reason: boolean;
}

export function parseShow(text: string | undefined): PortState[] {
  if (text === undefined || text.trim() === "") return [];
  const out: PortState[] = [];
  for (const item of text.split(",").map((s) => s.trim().toLowerCase())) {
    if (item === "open") continue;
    if (item !== "closed" && item !== "filtered") {
      throw new UsageError(`--show expects closed and/or filtered, got '${item}'`);
    }
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

/**
 * The most parts a scan splits into: one per address of IPv4. Any count works (a part past the
 * end of the order is empty: shardLength), so the bound only keeps positions exact integers.
 */
export const MAX_SHARDS = 2 ** 32;

/** `--shard I/N`: part I (1-based) of N. */
export function parseShard(text: string | undefined): { index: number; count: number } | null {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || count > MAX_SHARDS)
    throw new UsageError(
      `--shard expects I/N with 1 <= I <= N <= ${MAX_SHARDS} (e.g. 2/3), got '${text}'`,
    );
  return count === 1 ? null : { index, count };
}

/**
 * nmap's -T: 3-5 (normal, aggressive, insane) change nothing here, where timing adapts to each
 * host; 0-2 ask nmap for a slow scan on purpose, which only --rate gives here: refused.
 */
export function checkTimingTemplate(text: string | undefined): void {
  if (text === undefined) return;
  const names = ["paranoid", "sneaky", "polite", "normal", "aggressive", "insane"];
  const given = text.trim().toLowerCase();
  const level = /^[0-5]$/.test(given) ? Number(given) : names.indexOf(given);
  if (level < 0)
    throw new UsageError(`-T expects 0-5 or one of ${names.join(", ")}, got '${text}'`);
  if (level < 3)
    throw new UsageError(
      `-T${level} (${names[level]}) slows the scan on purpose: use --rate N (attempts per second) instead`,
    );
}

function checkTimeout(ms: number, flag: string): number {
  if (ms < 1 || ms > 600_000)
    throw new UsageError(`${flag} must be between 1ms and 10m, got ${ms}ms`);
  return ms;
}

function optionalTimeout(text: unknown, flag: string): number | null {
  return text === undefined ? null : checkTimeout(parseDuration(text as string, flag, "ms"), flag);
}

/** -sS (SYN probes from a raw socket, with -S and -g) or -sT (connect, the default). */
function scanType(
  args: Record<string, unknown>,
): Pick<ProbeRequest, "transport" | "source" | "threads"> {
  if (args["syn-scan"] && args["connect-scan"])
    throw new UsageError("-sS and -sT cannot be combined");
  const syn = args["syn-scan"] === true;
  const address = (args["source-address"] as string | undefined) ?? null;
  const port =
    args["source-port"] === undefined
      ? null
      : parseInteger(args["source-port"] as string, "-g", 1, 65535);
  if (!syn && (address !== null || port !== null)) throw new UsageError("-S and -g need -sS");
  // -sU alone; with -sS/-sT this is the TCP pass, the UDP one follows (udpPassPorts).
  if (args.udp === true && !syn && args["connect-scan"] !== true)
    return { transport: "udp", source: { address, port } };
  if (address !== null) parseSourceAddress(address);
  // Before any Worker starts: the refusal is then one usage line (exit 2).
  if (syn) checkRawPrivilege();
  if (!syn) return { transport: "connect", source: { address, port } };
  // One probe loop: each loop's raw receivers get a copy of every TCP packet, and one thread
  // already sends at what loopback takes (full range in a namespace, 3 runs: 0.38-0.43 s and
  // 0.29 s of user CPU with one, 0.43-0.46 s and 0.46 s with two).
  return { transport: "syn", source: { address, port }, threads: 1 };
}

/** The probe part of the flags: each flag's one name from here to the loop. */
function probeRequest(args: Record<string, unknown>): ProbeRequest {
  return {
    ...scanType(args),
    concurrency: parseInteger(args.concurrency as string | undefined, "-c", 1, MAX_CONCURRENCY),
    fixedTimeoutMs: optionalTimeout(args.timeout, "-t"),
    policy: DEFAULT_TIMING,
    retries: parseInteger(args.retries as string | undefined, "--retries", 0, 10),
    bannerMs: args.banner ? BANNER_WAIT_MS : 0,
    // No UDP discovery yet: silence is what a UDP port says most, not a sign of a dead host
    // (with -sS/-sT, the TCP pass's discovery decides for both).
    discovery: args["skip-discovery"] !== true && (args.udp !== true || twoProtocols(args)),
    respectRstRatelimit: args["defeat-rst-ratelimit"] !== true,
    respectIcmpRatelimit: args["defeat-icmp-ratelimit"] !== true,
    hostTimeoutMs: optionalTimeout(args["host-timeout"], "--host-timeout"),
    ratePerSecond:
      args.rate === undefined ? null : parseInteger(args.rate as string, "--rate", 1, 10_000_000),
    engine: parseEngine(args.engine as string | undefined),
  };
}

/** Turn citty's parsed args into validated settings (UsageError on anything wrong). */
export function scanSettings(args: Record<string, unknown>): ScanSettings {
  checkTimingTemplate(args.timing as string | undefined);
  return {
    ...targetSettings(args),
    probe: probeRequest(args),
    udpPorts: udpPassPorts(args),
    ordered: Boolean(args.ordered),
    seed:
      args.seed === undefined
        ? randomSeed()
        : parseInteger(args.seed as string, "--seed", 0, 2 ** 32 - 1),
    shard: parseShard(args.shard as string | undefined),
    output: args.json ? "json" : args.list ? "list" : "text",
    show: parseShow(args.show as string | undefined),
    reason: args.reason === true,
  };
}
