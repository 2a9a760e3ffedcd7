// Rendering scan results: the human table, the --list line, the --json document. Pure.
import type { ScanStats } from "../engine/engine.ts";
import type { ScanPlan } from "../model/plan.ts";
import {
  type HostResult,
  type PortState,
  type Protocol,
  protocolAt,
  STATE_CODE,
  STATE_NAMES,
} from "../model/results.ts";
import { formatPortRanges } from "../ports/port-spec.ts";
import type { ServiceTable } from "../ports/services.ts";

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

export interface ReportedPort {
  port: number;
  protocol: Protocol;
  state: PortState;
  service: string | null;
  banner?: string;
}

/** The ports worth showing: open ones plus the states asked for with --show, by port. */
export function reportedPorts(
  result: HostResult,
  show: PortState[],
  services: ServiceTable,
): ReportedPort[] {
  const wanted = new Set<PortState>(["open", ...show]);
  const out: ReportedPort[] = [];
  for (let i = 0; i < result.ports.length; i++) {
    const port = result.ports[i] as number;
    const state = STATE_NAMES[result.states[i] as number];
    if (!state || !wanted.has(state)) continue;
    const protocol = protocolAt(result, i);
    const entry: ReportedPort = { port, protocol, state, service: services.get(port) ?? null };
    const banners = protocol === "udp" ? (result.udpBanners ?? result.banners) : result.banners;
    const banner = banners.get(port);
    if (banner !== undefined) entry.banner = cleanBanner(banner, 200);
    out.push(entry);
  }
  return out;
}

function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1);
}

export function portsPerSecond(result: HostResult): number {
  return result.elapsedMs > 0 ? Math.round((result.counts.scanned * 1000) / result.elapsedMs) : 0;
}

/** The summary line: ports scanned, counts, time, rate. */
export function summaryLine(result: HostResult): string {
  const { counts } = result;
  if (result.status !== "up") {
    return `host ${result.status} (${result.reason}): ${counts.scanned} of ${result.ports.length} ports scanned in ${seconds(result.elapsedMs)} s`;
  }
  const head =
    result.reason === "host-timeout"
      ? `host timeout: ${counts.scanned} of ${result.ports.length} ports scanned`
      : result.interrupted
        ? `interrupted: ${counts.scanned} of ${result.ports.length} ports scanned`
        : `${counts.scanned} ports scanned`;
  return (
    `${head} in ${seconds(result.elapsedMs)} s (${portsPerSecond(result).toLocaleString("en-US")} ports/s): ` +
    `${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered` +
    (result.protocol === "udp" || result.udpFrom !== undefined
      ? `, ${counts["open|filtered"] ?? 0} open|filtered`
      : "")
  );
}

/** "1-1000" (one protocol), "tcp 1-1000, udp 53,161" (-sU with -sT/-sS). */
function scannedRanges(result: HostResult): string {
  const { udpFrom, ports } = result;
  if (udpFrom === undefined) return formatPortRanges(ports);
  return `tcp ${formatPortRanges(ports.slice(0, udpFrom))}, udp ${formatPortRanges(ports.slice(udpFrom))}`;
}

/** The human-readable report of one target. */
export function textReport(result: HostResult, show: PortState[], services: ServiceTable): string {
  const { target } = result;
  const label =
    target.name === target.address ? target.address : `${target.name} (${target.address})`;
  const lines = [`tp-scan report for ${label}`];
  if (target.otherAddresses.length > 0)
    lines.push(`other addresses (not scanned): ${target.otherAddresses.join(" ")}`);
  const rows = reportedPorts(result, show, services);
  if (result.status !== "up") {
    // Nothing worth a table: the summary says why.
  } else if (rows.length === 0) {
    lines.push(`no ${["open", ...show].join("/")} port among ${scannedRanges(result)}`);
  } else {
    lines.push(`${"PORT".padEnd(11)} ${"STATE".padEnd(8)} SERVICE`);
    for (const r of rows) {
      const service =
        r.banner === undefined ? (r.service ?? "unknown") : (r.service ?? "unknown").padEnd(15);
      lines.push(
        `${`${r.port}/${r.protocol}`.padEnd(11)} ${r.state.padEnd(8)} ${service}${r.banner !== undefined ? ` ${r.banner}` : ""}`.trimEnd(),
      );
    }
  }
  lines.push(summaryLine(result));
  return `${lines.join("\n")}\n`;
}

/**
 * The text reports of hosts one after another, a blank line between two: what tp-scan prints
 * as hosts finish and what `tp-scan merge` prints, from one code path.
 */
export function textReporter(
  show: PortState[],
  services: ServiceTable,
): (result: HostResult) => string {
  let printed = 0;
  return (result) => `${printed++ > 0 ? "\n" : ""}${textReport(result, show, services)}`;
}

/** --list: the open ports as one comma-separated line (for nmap -p). */
export function listLine(result: HostResult): string {
  return result.ports.filter((_, i) => result.states[i] === STATE_CODE.open).join(",");
}

/** --json: one document for the whole run. */
/** The plan's settings as the --json document (and -oJ, --jsonl's run line) state them. */
export function planSettings(plan: ScanPlan) {
  return {
    ports: plan.identity.portSpec,
    portCount: plan.ports.length,
    concurrency: plan.probe.concurrency,
    threads: plan.probe.threads,
    timeoutMs: plan.probe.fixedTimeoutMs,
    adaptiveTimeout: plan.probe.fixedTimeoutMs === null ? plan.probe.policy : null,
    retries: plan.probe.retries,
    ordered: plan.ordered,
    bannerMs: plan.probe.bannerMs,
    seed: plan.seed,
    shard: plan.shard,
    discovery: plan.probe.discovery,
  };
}

export function jsonReport(
  results: HostResult[],
  plan: ScanPlan,
  show: PortState[],
  services: ServiceTable,
  run: { interrupted: boolean; stats: ScanStats | null },
): string {
  const doc = {
    scanner: "tp-scan",
    settings: { ...planSettings(plan), show: ["open", ...show] },
    targets: results.map((r) => ({
      target: r.target.name,
      address: r.target.address,
      family: r.target.family === 6 ? "ipv6" : "ipv4",
      otherAddresses: r.target.otherAddresses,
      status: r.status,
      reason: r.reason,
      interrupted: r.interrupted,
      ports: reportedPorts(r, show, services),
      counts: r.counts,
      timing: {
        startedAt: r.startedAt.toISOString(),
        elapsedMs: Math.round(r.elapsedMs * 10) / 10,
        portsPerSecond: portsPerSecond(r),
        srttMs: r.timing.srttMs === null ? null : Math.round(r.timing.srttMs * 1000) / 1000,
        rttvarMs: r.timing.rttvarMs === null ? null : Math.round(r.timing.rttvarMs * 1000) / 1000,
        timeoutMs: Math.round(r.timing.timeoutMs * 10) / 10,
      },
    })),
    stats: run.stats,
    interrupted: run.interrupted,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
