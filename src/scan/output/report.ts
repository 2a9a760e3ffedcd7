// tp-scan's own text report, a block per host as it is done: what `tp-scan` and `tp-scan merge`
// print, from one code path. Pure.
import { plural } from "../../shared/plural.ts";
import type { HostResult, PortState } from "../model/results.ts";
import { formatPortRanges } from "../ports/port-spec.ts";
import type { ServiceTable } from "../ports/services.ts";
import {
  allOpenNote,
  hiddenStates,
  portsPerSecond,
  type ShownPort,
  shownPorts,
  upReason,
} from "./document.ts";

function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1);
}

/** The summary line: ports scanned, counts, time, rate. */
export function summaryLine(result: HostResult): string {
  const { counts } = result;
  if (result.status !== "up") {
    return `host ${result.status} (${result.reason}): ${counts.scanned} of ${plural(result.ports.length, "port")} scanned in ${seconds(result.elapsedMs)} s`;
  }
  const head =
    result.reason === "host-timeout"
      ? `host timeout: ${counts.scanned} of ${plural(result.ports.length, "port")} scanned`
      : result.interrupted
        ? `interrupted: ${counts.scanned} of ${plural(result.ports.length, "port")} scanned`
        : `${plural(counts.scanned, "port")} scanned`;
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

export interface TextOptions {
  show: PortState[];
  services: ServiceTable;
  /** --reason: say why each port has its state and why the host is up (nmap's REASON column). */
  reason?: boolean;
}

/** One port row: PORT STATE SERVICE [REASON] [banner], the middle cells padded. */
function portRow(r: ShownPort, reason: boolean): string {
  const tail = [r.service ?? "unknown", ...(reason ? [r.reason] : [])];
  if (r.banner !== undefined) tail.push(r.banner);
  const cells = tail.map((c, i) => (i < tail.length - 1 ? c.padEnd(15) : c)).join(" ");
  return `${`${r.port}/${r.protocol}`.padEnd(11)} ${r.state.padEnd(8)} ${cells}`.trimEnd();
}

/** The human-readable report of one target. */
export function textReport(result: HostResult, options: TextOptions): string {
  const { target } = result;
  const { show, services } = options;
  const reason = options.reason === true;
  const label =
    target.name === target.address ? target.address : `${target.name} (${target.address})`;
  const lines = [`tp-scan report for ${label}`];
  if (target.otherAddresses.length > 0)
    lines.push(`other addresses (not scanned): ${target.otherAddresses.join(" ")}`);
  if (reason && result.status === "up") lines.push(`host up, received ${upReason(result)}`);
  const rows = shownPorts(result, services, hiddenStates(show));
  if (result.status !== "up") {
    // Nothing worth a table: the summary says why.
  } else if (rows.length === 0) {
    lines.push(`no ${["open", ...show].join("/")} port among ${scannedRanges(result)}`);
  } else {
    const service = reason ? `${"SERVICE".padEnd(15)} REASON` : "SERVICE";
    lines.push(`${"PORT".padEnd(11)} ${"STATE".padEnd(8)} ${service}`);
    for (const r of rows) lines.push(portRow(r, reason));
  }
  const allOpen = allOpenNote(result);
  if (allOpen !== null) lines.push(`warning: ${allOpen}`);
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
  extra: { reason?: boolean } = {},
): (result: HostResult) => string {
  let printed = 0;
  const options = { show, services, ...extra };
  return (result) => `${printed++ > 0 ? "\n" : ""}${textReport(result, options)}`;
}
