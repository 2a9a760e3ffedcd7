// What every file format reads: the hosts of a scan (HostResult, from ../results.ts), what
// identifies the scan, and a summary of the run. Helpers shared by the formats. Pure.

import type { ScanStats } from "../engine/engine.ts";
import { countStates } from "../engine/shared-memory.ts";
import { REASON_NAMES } from "../model/reasons.ts";
import {
  type HostResult,
  type PortState,
  type Protocol,
  protocolAt,
  type ScanIdentity,
  type ScanPass,
  STATE_CODE,
  STATE_NAMES,
} from "../model/results.ts";
import { formatPortRanges } from "../ports/port-spec.ts";
import type { ServiceTable } from "../ports/services.ts";

export interface RunSummary {
  /** The command line as typed (argv[0] shown as "tp-scan"). */
  command: string[];
  startedAt: Date;
  elapsedMs: number;
  interrupted: boolean;
  /** Settings shown in --json, -oJ and the --jsonl run line (concurrency, timeouts, ...). */
  settings: Record<string, unknown>;
  /** The engine's counters, known at the end of a scan (absent before, and for a merge). */
  stats?: ScanStats | null;
}

/** What every output of a run is made with. */
export interface OutputContext {
  identity: ScanIdentity;
  /** Every port of the plan, sorted. */
  ports: number[];
  services: ServiceTable;
  show: PortState[];
  /** Banners are only known when a host is done: port lines wait for it. */
  banners: boolean;
  /** Each protocol's pass (-oX <scaninfo>); absent: one connect pass of `ports`. */
  passes?: ScanPass[];
  /** What the ports are probed with (the reason of a port found open); absent: tcp. */
  protocol?: Protocol;
}

/** Everything a whole-document formatter needs. */
export interface ReportInput {
  identity: ScanIdentity;
  /** Every port of the plan, sorted (HostResult.ports of each host). */
  ports: number[];
  /** Each protocol's pass (-oX <scaninfo>); absent: one connect pass of `ports`. */
  passes?: ScanPass[];
  hosts: HostResult[];
  summary: RunSummary;
  services: ServiceTable;
  /** States listed port by port besides open ones (--show). */
  show: PortState[];
}

export const STATES: PortState[] = ["open", "closed", "filtered", "open|filtered"];

/** nmap's words for why a port or host is in its state (connect scan). */
export const REASONS: Record<PortState, string> = {
  open: "syn-ack",
  closed: "conn-refused",
  filtered: "no-response",
  "open|filtered": "no-response",
};

/** nmap -sU's words: a reply, a port-unreachable (other ICMP errors: filtered). */
export const UDP_REASONS: Record<PortState, string> = {
  open: "udp-response",
  closed: "port-unreach",
  filtered: "icmp-unreach",
  "open|filtered": "no-response",
};

/** The reasons for `host`'s protocol (or for `protocol`, on a host of two). */
export function reasonsOf(
  host: HostResult,
  protocol: Protocol = host.protocol ?? "tcp",
): Record<PortState, string> {
  return protocol === "udp" ? UDP_REASONS : REASONS;
}

/** Reasons that name an ICMP error: the same words for TCP and UDP. */
const ICMP_REASONS = new Set(["host-unreach", "net-unreach", "admin-prohibited"]);

/**
 * Why port `i` of `host` is in `state`: the engine's reason (HostResult.reasons), else, and for
 * UDP's replies and silences, the usual word for the state.
 */
export function portReason(host: HostResult, i: number, state: PortState): string {
  const named = REASON_NAMES[host.reasons[i] ?? 0];
  const protocol = protocolAt(host, i);
  if (named === undefined || (protocol === "udp" && !ICMP_REASONS.has(named)))
    return reasonsOf(host, protocol)[state];
  return named;
}

/** The ports of `host` in `state` by reason, the most common reason first. */
export function portsByReason(
  host: HostResult,
  state: PortState,
  protocol?: Protocol,
): Array<[string, number[]]> {
  const code = STATE_CODE[state];
  const by = new Map<string, number[]>();
  for (let i = 0; i < host.ports.length; i++) {
    if (host.states[i] !== code) continue;
    if (protocol !== undefined && protocolAt(host, i) !== protocol) continue;
    const reason = portReason(host, i, state);
    const list = by.get(reason) ?? [];
    if (list.length === 0) by.set(reason, list);
    list.push(host.ports[i] as number);
  }
  return [...by].sort((a, b) => b[1].length - a[1].length);
}

/**
 * Why an up host is up, as nmap's <status reason> and --reason say it: the engine's reason,
 * else (a scan stopped early, --host-timeout) what its ports answered.
 */
export function upReason(host: HostResult): string {
  if (host.reason !== null && host.reason !== "host-timeout") return host.reason;
  return host.counts.open > 0 ? "syn-ack" : "conn-refused";
}

/** The all-open mark (HostResult.allOpen) as one sentence, or null for a believable host. */
export function allOpenNote(host: HostResult): string | null {
  if (host.allOpen === null) return null;
  const why =
    host.allOpen === "port-threshold"
      ? "more ports open than any real host has"
      : "every port probed first accepted, none closed";
  const cut = host.interrupted ? "its scan was cut short" : "scanned to the end";
  return `all ports answer open (${host.allOpen}): ${why}, a SYN proxy or tarpit; ${cut}`;
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A host's probe rate over its own time (text summary line, JSON timing). */
export function portsPerSecond(host: HostResult): number {
  return host.elapsedMs > 0 ? Math.round((host.counts.scanned * 1000) / host.elapsedMs) : 0;
}

/** Ports of `host` in `state` (of `protocol` only, if given), ascending. */
export function portsIn(host: HostResult, state: PortState, protocol?: Protocol): number[] {
  const code = STATE_CODE[state];
  const out: number[] = [];
  for (let i = 0; i < host.ports.length; i++)
    if (host.states[i] === code && (protocol === undefined || protocolAt(host, i) === protocol))
      out.push(host.ports[i] as number);
  return out;
}

export function countsOf(host: HostResult): Record<PortState, number> {
  const counts = countStates(host.states);
  return { ...counts, "open|filtered": counts["open|filtered"] ?? 0 };
}

/**
 * nmap's rule for the states it folds into "Not shown: N closed ports": any state but open
 * with more than 25 ports (portlist.cc, isIgnoredState, at verbosity 0), here unless --show
 * asks for it. Largest first, as nmap lists them.
 */
export function ignoredStates(host: HostResult, show: PortState[]): PortState[] {
  const counts = countsOf(host);
  return (["closed", "filtered", "open|filtered"] as const)
    .filter((s) => !show.includes(s) && counts[s] > 25)
    .sort((a, b) => counts[b] - counts[a]);
}

export interface ShownPort {
  port: number;
  protocol: Protocol;
  state: PortState;
  /** Why it is in that state (portReason). */
  reason: string;
  service: string | null;
  banner?: string;
}

/** The ports listed one by one: every state not folded away, ascending. */
export function shownPorts(
  host: HostResult,
  services: ServiceTable,
  omit: PortState[],
): ShownPort[] {
  const out: ShownPort[] = [];
  for (let i = 0; i < host.ports.length; i++) {
    const state = STATE_NAMES[host.states[i] as number];
    if (!state || omit.includes(state)) continue;
    const port = host.ports[i] as number;
    const protocol = protocolAt(host, i);
    const reason = portReason(host, i, state);
    const entry: ShownPort = { port, protocol, state, reason, service: services.get(port) ?? null };
    const banner = (protocol === "udp" ? (host.udpBanners ?? host.banners) : host.banners).get(
      port,
    );
    if (banner !== undefined) entry.banner = cleanBanner(banner, 200);
    out.push(entry);
  }
  return out;
}

/** The states --show did not ask for (open is always shown). */
export function hiddenStates(show: PortState[]): PortState[] {
  return STATES.filter((s) => s !== "open" && !show.includes(s));
}

/** A name the user typed, when it is not the address itself. */
export function userName(host: HostResult): string {
  return host.target.name === host.target.address ? "" : host.target.name;
}

export function ranges(host: HostResult, state: PortState): string {
  return formatPortRanges(portsIn(host, state));
}

/** The command line as one string, the program name first. */
export function commandLine(summary: RunSummary): string {
  return ["tp-scan", ...summary.command.slice(1)].join(" ");
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** nmap's date form (strftime "%a %b %d %H:%M:%S %Y", local time). */
export function nmapDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

export function unixSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** "1 IP address (1 host up) scanned in 0.10 seconds", nmap's closing words. */
export function doneSummary(hosts: HostResult[], elapsedMs: number): string {
  const up = hosts.filter((h) => h.status === "up").length;
  const n = hosts.length;
  return `${n} IP ${n === 1 ? "address" : "addresses"} (${up} ${up === 1 ? "host" : "hosts"} up) scanned in ${(elapsedMs / 1000).toFixed(2)} seconds`;
}

/** Printable single line of what a server said first (control characters escaped, capped). */
export function cleanBanner(raw: string, max = 80): string {
  const firstLine = raw.replace(/\r?\n[\s\S]*$/, "");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point.
  const printable = firstLine.replace(/[\u0000-\u001f\u007f-\u00ff]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code >= 0xa0 ? ch : `\\x${code.toString(16).padStart(2, "0")}`;
  });
  return printable.length > max ? `${printable.slice(0, max - 3)}...` : printable;
}
