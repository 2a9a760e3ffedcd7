// -oN: nmap's normal output (its line forms, so habits and greps carry over). Pure.

import { VERSION } from "../../shared/cli.ts";
import { plural } from "../../shared/plural.ts";
import { type HostResult, type PortState, protocolsOf } from "../model/results.ts";
import type { ServiceTable } from "../ports/services.ts";
import {
  allOpenNote,
  commandLine,
  doneSummary,
  ignoredStates,
  nmapDate,
  portsByReason,
  type ReportInput,
  type RunSummary,
  shownPorts,
  userName,
} from "./document.ts";

export function normalHeader(summary: RunSummary): string {
  return `# tp-scan ${VERSION} scan initiated ${nmapDate(summary.startedAt)} as: ${commandLine(summary)}\n`;
}

function hostLabel(host: HostResult): string {
  const name = userName(host);
  return name === "" ? host.target.address : `${name} (${host.target.address})`;
}

/** "97 closed tcp ports (conn-refused)", one entry per state and reason. */
function notShown(host: HostResult, states: PortState[]): string {
  return states
    .flatMap((s) =>
      protocolsOf(host).flatMap((protocol) =>
        portsByReason(host, s, protocol).map(
          ([reason, ports]) => `${ports.length} ${s} ${protocol} ports (${reason})`,
        ),
      ),
    )
    .join(", ");
}

/** One host's block; nothing for a host that is not up (as nmap does without -v). */
export function normalHost(host: HostResult, services: ServiceTable, show: PortState[]): string {
  if (host.status !== "up") return "";
  const lines = [`Nmap scan report for ${hostLabel(host)}`];
  const srtt = host.timing.srttMs;
  lines.push(srtt === null ? "Host is up." : `Host is up (${(srtt / 1000).toFixed(6)}s latency).`);
  if (host.target.otherAddresses.length > 0)
    lines.push(
      `Other addresses for ${host.target.name} (not scanned): ${host.target.otherAddresses.join(" ")}`,
    );
  const ignored = ignoredStates(host, show);
  const rows = shownPorts(host, services, ignored);
  if (rows.length === 0 && ignored.length > 0) {
    lines.push(
      `All ${host.counts.scanned} scanned ports on ${hostLabel(host)} are in ignored states.`,
    );
  }
  if (ignored.length > 0) lines.push(`Not shown: ${notShown(host, ignored)}`);
  if (rows.length > 0) {
    const portWidth = Math.max(4, ...rows.map((r) => `${r.port}/${r.protocol}`.length)) + 1;
    const stateWidth = Math.max(5, ...rows.map((r) => r.state.length)) + 1;
    lines.push(`${"PORT".padEnd(portWidth)}${"STATE".padEnd(stateWidth)}SERVICE`);
    for (const r of rows) {
      lines.push(
        `${`${r.port}/${r.protocol}`.padEnd(portWidth)}${r.state.padEnd(stateWidth)}${r.service ?? "unknown"}`,
      );
      // nmap's banner script prints what a port said first this way.
      if (r.banner !== undefined) lines.push(`|_banner: ${r.banner}`);
    }
  }
  const allOpen = allOpenNote(host);
  if (allOpen !== null) lines.push(`Warning: ${allOpen}.`);
  if (host.interrupted)
    lines.push(
      `Scan of this host interrupted (${host.reason ?? "stopped"}): ${host.counts.scanned} of ${plural(host.ports.length, "port")} scanned.`,
    );
  return `${lines.join("\n")}\n\n`;
}

export function normalFooter(hosts: HostResult[], summary: RunSummary): string {
  const end = new Date(summary.startedAt.getTime() + summary.elapsedMs);
  return `# tp-scan done at ${nmapDate(end)} -- ${doneSummary(hosts, summary.elapsedMs)}${summary.interrupted ? " (interrupted)" : ""}\n`;
}

export function normalReport(input: ReportInput): string {
  return (
    normalHeader(input.summary) +
    input.hosts.map((h) => normalHost(h, input.services, input.show)).join("") +
    normalFooter(input.hosts, input.summary)
  );
}
