// -oX: nmap's XML (xmloutputversion 1.05), valid against the nmap.dtd that nmap installs, so
// that ndiff, xsltproc with nmap.xsl and Metasploit's db_import read it. The DTD allows only
// scanner="nmap": profile_name="tp-scan" and the args say who wrote the file. Pure.
import { VERSION } from "../../shared/cli.ts";
import { type HostResult, type PortState, protocolsOf, type ScanPass } from "../model/results.ts";
import { formatPortRanges } from "../ports/port-spec.ts";
import type { ServiceTable } from "../ports/services.ts";
import {
  allOpenNote,
  commandLine,
  countsOf,
  doneSummary,
  ignoredStates,
  nmapDate,
  portsByReason,
  type ReportInput,
  type RunSummary,
  shownPorts,
  unixSeconds,
  upReason,
  userName,
} from "./document.ts";

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Text safe inside a double-quoted attribute (characters XML 1.0 forbids become '?'). */
export function xmlAttr(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "?")
  );
}

/** One <scaninfo> per protocol's pass, TCP first, as nmap writes them. */
export function xmlHeader(summary: RunSummary, passes: ScanPass[]): string {
  const cmd = xmlAttr(commandLine(summary));
  const start = summary.startedAt;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<!DOCTYPE nmaprun>",
    '<?xml-stylesheet href="file:///usr/share/nmap/nmap.xsl" type="text/xsl"?>',
    `<!-- tp-scan ${VERSION} scan initiated ${nmapDate(start)} as: ${cmd.replace(/--/g, "- -")} -->`,
    `<nmaprun scanner="nmap" args="${cmd}" start="${unixSeconds(start)}" startstr="${nmapDate(start)}" version="${VERSION}" profile_name="tp-scan" xmloutputversion="1.05">`,
    ...passes.map(
      (p) =>
        `<scaninfo type="${p.type}" protocol="${p.protocol}" numservices="${p.ports.length}" services="${formatPortRanges(p.ports)}"/>`,
    ),
    '<verbose level="0"/>',
    '<debugging level="0"/>',
    "",
  ].join("\n");
}

function statusOf(host: HostResult): string {
  if (host.status === "up")
    return `<status state="up" reason="${xmlAttr(upReason(host))}" reason_ttl="0"/>`;
  const reason = host.status === "unreachable" ? "host-unreach" : (host.reason ?? "no-response");
  return `<status state="down" reason="${xmlAttr(reason)}" reason_ttl="0"/>`;
}

function portsElement(host: HostResult, services: ServiceTable, show: PortState[]): string {
  const ignored = ignoredStates(host, show);
  const counts = countsOf(host);
  const parts = ["<ports>"];
  for (const state of ignored) {
    // One <extrareasons> per protocol and reason, as nmap writes a state whose ports differ in why.
    const reasons = protocolsOf(host).flatMap((protocol) =>
      portsByReason(host, state, protocol).map(
        ([reason, ports]) =>
          `<extrareasons reason="${xmlAttr(reason)}" count="${ports.length}" proto="${protocol}" ports="${formatPortRanges(ports)}"/>`,
      ),
    );
    parts.push(
      `<extraports state="${state}" count="${counts[state]}">\n${reasons.join("\n")}\n</extraports>`,
    );
  }
  for (const r of shownPorts(host, services, ignored)) {
    const service =
      r.service === null ? "" : `<service name="${xmlAttr(r.service)}" method="table" conf="3"/>`;
    const script =
      r.banner === undefined ? "" : `<script id="banner" output="${xmlAttr(r.banner)}"/>`;
    parts.push(
      `<port protocol="${r.protocol}" portid="${r.port}"><state state="${r.state}" reason="${xmlAttr(r.reason)}" reason_ttl="0"/>${service}${script}</port>`,
    );
  }
  parts.push("</ports>");
  return parts.join("\n");
}

export function xmlHost(host: HostResult, services: ServiceTable, show: PortState[]): string {
  const start = unixSeconds(host.startedAt);
  const end = unixSeconds(new Date(host.startedAt.getTime() + host.elapsedMs));
  const timedOut = host.reason === "host-timeout" ? ' timedout="true"' : "";
  const lines = [
    `<host starttime="${start}" endtime="${end}"${timedOut}>${statusOf(host)}`,
    `<address addr="${host.target.address}" addrtype="ipv${host.target.family}"/>`,
  ];
  const name = userName(host);
  lines.push(
    name === ""
      ? "<hostnames>\n</hostnames>"
      : `<hostnames>\n<hostname name="${xmlAttr(name)}" type="user"/>\n</hostnames>`,
  );
  if (host.status === "up") lines.push(portsElement(host, services, show));
  const allOpen = allOpenNote(host);
  if (allOpen !== null)
    lines.push(`<hostscript><script id="all-open" output="${xmlAttr(allOpen)}"/></hostscript>`);
  const t = host.timing;
  if (t.srttMs !== null) {
    const us = (ms: number | null) => Math.round((ms ?? 0) * 1000);
    lines.push(
      `<times srtt="${us(t.srttMs)}" rttvar="${us(t.rttvarMs)}" to="${us(t.timeoutMs)}"/>`,
    );
  }
  lines.push("</host>");
  return `${lines.join("\n")}\n`;
}

export function xmlFooter(hosts: HostResult[], summary: RunSummary): string {
  const end = new Date(summary.startedAt.getTime() + summary.elapsedMs);
  const up = hosts.filter((h) => h.status === "up").length;
  const exit = summary.interrupted ? ' exit="error" errormsg="interrupted"' : ' exit="success"';
  const text = `tp-scan done at ${nmapDate(end)}; ${doneSummary(hosts, summary.elapsedMs)}`;
  return (
    `<runstats><finished time="${unixSeconds(end)}" timestr="${nmapDate(end)}" summary="${text}" elapsed="${(summary.elapsedMs / 1000).toFixed(2)}"${exit}/>` +
    `<hosts up="${up}" down="${hosts.length - up}" total="${hosts.length}"/>\n</runstats>\n</nmaprun>\n`
  );
}

export function xmlReport(input: ReportInput): string {
  return (
    xmlHeader(
      input.summary,
      input.passes ?? [{ type: "connect", protocol: "tcp", ports: input.ports }],
    ) +
    input.hosts.map((h) => xmlHost(h, input.services, input.show)).join("") +
    xmlFooter(input.hosts, input.summary)
  );
}
