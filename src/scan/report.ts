// Rendering scan results: the human table, the --list line, the --json document. Pure.
import { type PortState, type ScanResult, STATE_NAMES } from "./engine.ts";
import { formatPortRanges } from "./ports.ts";
import type { ServiceTable } from "./services.ts";
import type { TimeoutPolicy } from "./timing.ts";

export interface ReportSettings {
  portSpec: string;
  portCount: number;
  concurrency: number;
  threads: number;
  fixedTimeoutMs: number | null;
  policy: TimeoutPolicy;
  retries: number;
  ordered: boolean;
  bannerMs: number;
  show: PortState[];
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

export interface ReportedPort {
  port: number;
  state: PortState;
  service: string | null;
  banner?: string;
}

/** The ports worth showing: open ones plus the states asked for with --show, by port. */
export function reportedPorts(
  result: ScanResult,
  show: PortState[],
  services: ServiceTable,
): ReportedPort[] {
  const wanted = new Set<PortState>(["open", ...show]);
  const out: ReportedPort[] = [];
  for (const port of result.ports) {
    const state = STATE_NAMES[result.states[port] as number];
    if (!state || !wanted.has(state)) continue;
    const entry: ReportedPort = { port, state, service: services.get(port) ?? null };
    const banner = result.banners.get(port);
    if (banner !== undefined) entry.banner = cleanBanner(banner, 200);
    out.push(entry);
  }
  return out;
}

function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1);
}

export function portsPerSecond(result: ScanResult): number {
  return result.elapsedMs > 0 ? Math.round((result.counts.scanned * 1000) / result.elapsedMs) : 0;
}

/** The summary line: ports scanned, counts, time, rate. */
export function summaryLine(result: ScanResult): string {
  const { counts } = result;
  const head = result.interrupted
    ? `interrupted: ${counts.scanned} of ${result.ports.length} ports scanned`
    : `${counts.scanned} ports scanned`;
  return (
    `${head} in ${seconds(result.elapsedMs)} s (${portsPerSecond(result).toLocaleString("en-US")} ports/s): ` +
    `${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered`
  );
}

/** The human-readable report of one target. */
export function textReport(result: ScanResult, show: PortState[], services: ServiceTable): string {
  const { target } = result;
  const label =
    target.name === target.address ? target.address : `${target.name} (${target.address})`;
  const lines = [`tp-scan report for ${label}`];
  if (target.otherAddresses.length > 0)
    lines.push(`other addresses (not scanned): ${target.otherAddresses.join(" ")}`);
  const rows = reportedPorts(result, show, services);
  if (rows.length === 0) {
    lines.push(`no ${["open", ...show].join("/")} port among ${formatPortRanges(result.ports)}`);
  } else {
    lines.push(`${"PORT".padEnd(11)} ${"STATE".padEnd(8)} SERVICE`);
    for (const r of rows) {
      const service =
        r.banner === undefined ? (r.service ?? "unknown") : (r.service ?? "unknown").padEnd(15);
      lines.push(
        `${`${r.port}/tcp`.padEnd(11)} ${r.state.padEnd(8)} ${service}${r.banner !== undefined ? ` ${r.banner}` : ""}`.trimEnd(),
      );
    }
  }
  lines.push(summaryLine(result));
  return `${lines.join("\n")}\n`;
}

/** --list: the open ports as one comma-separated line (for nmap -p). */
export function listLine(result: ScanResult): string {
  return result.ports.filter((p) => result.states[p] === 1).join(",");
}

/** --json: one document for the whole run. */
export function jsonReport(
  results: ScanResult[],
  settings: ReportSettings,
  services: ServiceTable,
  interrupted: boolean,
): string {
  const doc = {
    scanner: "tp-scan",
    settings: {
      ports: settings.portSpec,
      portCount: settings.portCount,
      concurrency: settings.concurrency,
      threads: settings.threads,
      timeoutMs: settings.fixedTimeoutMs,
      adaptiveTimeout: settings.fixedTimeoutMs === null ? settings.policy : null,
      retries: settings.retries,
      ordered: settings.ordered,
      bannerMs: settings.bannerMs,
      show: ["open", ...settings.show],
    },
    targets: results.map((r) => ({
      target: r.target.name,
      address: r.target.address,
      family: r.target.family === 6 ? "ipv6" : "ipv4",
      otherAddresses: r.target.otherAddresses,
      interrupted: r.interrupted,
      ports: reportedPorts(r, settings.show, services),
      counts: r.counts,
      timing: {
        startedAt: r.startedAt.toISOString(),
        elapsedMs: Math.round(r.elapsedMs * 10) / 10,
        portsPerSecond: portsPerSecond(r),
        srttMs: r.timing.srttMs === null ? null : Math.round(r.timing.srttMs * 1000) / 1000,
        rttvarMs: r.timing.rttvarMs === null ? null : Math.round(r.timing.rttvarMs * 1000) / 1000,
        timeoutMs: Math.round(r.timing.timeoutMs * 10) / 10,
      },
      stats: r.stats,
    })),
    interrupted,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
