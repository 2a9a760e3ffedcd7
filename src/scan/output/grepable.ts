// -oG: nmap's greppable output, one line per host and fact:
//   Host: 192.0.2.1 ()	Ports: 22/open/tcp//ssh///, 80/open/tcp//http///	Ignored State: closed (97)
// Pure.
import { VERSION } from "../../shared/cli.ts";
import type { HostResult, PortState } from "../model/results.ts";
import type { ServiceTable } from "../ports/services.ts";
import {
  allOpenNote,
  commandLine,
  countsOf,
  doneSummary,
  ignoredStates,
  nmapDate,
  type ReportInput,
  type RunSummary,
  shownPorts,
  userName,
} from "./document.ts";

export function grepableHeader(summary: RunSummary): string {
  return `# tp-scan ${VERSION} scan initiated ${nmapDate(summary.startedAt)} as: ${commandLine(summary)}\n`;
}

/** The fields nmap separates with '/': a '/' or ',' inside one would break the line. */
function field(text: string | null): string {
  return (text ?? "").replace(/[/,]/g, "|");
}

export function grepableHost(host: HostResult, services: ServiceTable, show: PortState[]): string {
  const head = `Host: ${host.target.address} (${field(userName(host))})`;
  const status = host.status === "up" ? "Up" : "Down";
  const lines = [`${head}\tStatus: ${status}`];
  if (host.status === "up") {
    const ignored = ignoredStates(host, show);
    const ports = shownPorts(host, services, ignored)
      .map((r) => `${r.port}/${r.state}/${r.protocol}//${field(r.service)}///`)
      .join(", ");
    // nmap names only the largest folded state here.
    const first = ignored[0];
    const tail = first === undefined ? "" : `\tIgnored State: ${first} (${countsOf(host)[first]})`;
    lines.push(`${head}\tPorts: ${ports}${tail}`);
  }
  // No -oG field says it: a comment line, which greps for "Host:" skip.
  const allOpen = allOpenNote(host);
  if (allOpen !== null) lines.push(`# ${host.target.address}: ${allOpen}`);
  return `${lines.join("\n")}\n`;
}

export function grepableFooter(hosts: HostResult[], summary: RunSummary): string {
  const end = new Date(summary.startedAt.getTime() + summary.elapsedMs);
  return `# tp-scan done at ${nmapDate(end)} -- ${doneSummary(hosts, summary.elapsedMs)}\n`;
}

export function grepableReport(input: ReportInput): string {
  return (
    grepableHeader(input.summary) +
    input.hosts.map((h) => grepableHost(h, input.services, input.show)).join("") +
    grepableFooter(input.hosts, input.summary)
  );
}
