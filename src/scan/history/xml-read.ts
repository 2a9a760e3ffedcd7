// nmap's -oX as `tp-scan diff` needs it (tp-scan's -oX is the same format): hosts, addresses,
// names, statuses, ports with state and service, <extraports>. A small reader of our own rather
// than an XML package: nmap's format carries everything in attributes of elements, never in
// text, so a tag scanner is enough, and the published package gains no dependency.
import { RuntimeError } from "../../shared/errors.ts";
import { parsePortSpec } from "../ports/port-spec.ts";
import {
  type HostSnapshot,
  portKey,
  type ScanSnapshot,
  type SnapshotPortState,
} from "./snapshot.ts";

export interface XmlTag {
  name: string;
  attributes: Record<string, string>;
  /** `</name>` */
  closing: boolean;
  /** `<name/>` */
  selfClosing: boolean;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] !== "#") return ENTITIES[entity] ?? whole;
    const hex = entity[1] === "x" || entity[1] === "X";
    return String.fromCodePoint(
      hex ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)),
    );
  });
}

const TAG =
  /<!--[\s\S]*?-->|<[?!][^>]*>|<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Every element tag of `xml` in order; comments, declarations and text are skipped. */
export function* xmlTags(xml: string): Generator<XmlTag> {
  for (const m of xml.matchAll(TAG)) {
    const name = m[2];
    if (name === undefined) continue;
    const attributes: Record<string, string> = {};
    for (const a of (m[3] ?? "").matchAll(ATTRIBUTE))
      attributes[a[1] as string] = decode(a[2] ?? a[3] ?? "");
    yield { name, attributes, closing: m[1] === "/", selfClosing: m[4] === "/" };
  }
}

const STATES = new Set(["open", "closed", "filtered", "unfiltered", "open|filtered"]);

function asState(value: string | undefined): SnapshotPortState | null {
  return value !== undefined && STATES.has(value) ? (value as SnapshotPortState) : null;
}

function asStatus(value: string | undefined): HostSnapshot["status"] {
  return value === "up" ? "up" : value === "unreachable" ? "unreachable" : "down";
}

/** The host being read: its <extraports> groups are kept until </host>. */
interface HostReading {
  host: HostSnapshot;
  /** Key of the <port> being read. */
  port: string | null;
  extra: Array<{ state: SnapshotPortState; protocol: string; ports: string | null }>;
}

/** One <extraports> state left: it is every other port's; several: list their ports one by one. */
function finishHost({ host, extra }: HostReading): HostSnapshot {
  const states = new Set(extra.map((e) => e.state));
  if (states.size === 1) host.otherPorts = extra[0]?.state ?? null;
  else
    for (const group of extra)
      for (const port of group.ports ? parsePortSpec(group.ports) : [])
        host.ports.set(portKey(group.protocol, port), { state: group.state, service: null });
  return host;
}

function readHostTag(reading: HostReading, tag: XmlTag): void {
  const { host } = reading;
  const a = tag.attributes;
  if (tag.name === "status") host.status = asStatus(a.state);
  else if (tag.name === "address" && a.addrtype !== "mac" && host.address === "")
    host.address = a.addr ?? "";
  else if (tag.name === "hostname" && host.name === null) host.name = a.name ?? null;
  else if (tag.name === "extraports") {
    const state = asState(a.state);
    if (state) reading.extra.push({ state, protocol: "tcp", ports: null });
  } else if (tag.name === "extrareasons") {
    const group = reading.extra.at(-1);
    if (group) Object.assign(group, { protocol: a.proto ?? "tcp", ports: a.ports ?? null });
  } else if (tag.name === "port") {
    const key = portKey(a.protocol ?? "tcp", Number(a.portid));
    host.ports.set(key, { state: "filtered", service: null });
    reading.port = tag.selfClosing ? null : key;
  } else if (reading.port && (tag.name === "state" || tag.name === "service")) {
    const entry = host.ports.get(reading.port);
    if (entry && tag.name === "state") entry.state = asState(a.state) ?? "filtered";
    if (entry && tag.name === "service") entry.service = a.name ?? null;
  }
}

/** Read an nmap-format XML document (nmap's or tp-scan's -oX). */
export function readNmapXml(source: string, xml: string): ScanSnapshot {
  const scan: ScanSnapshot = { source, scanner: "", startedAt: null, scanned: null, hosts: [] };
  let reading: HostReading | null = null;
  for (const tag of xmlTags(xml)) {
    const a = tag.attributes;
    if (tag.closing) {
      if (tag.name === "host" && reading) scan.hosts.push(finishHost(reading));
      if (tag.name === "host") reading = null;
      if (tag.name === "port" && reading) reading.port = null;
    } else if (tag.name === "nmaprun") {
      scan.scanner = a.profile_name === "tp-scan" ? "tp-scan" : (a.scanner ?? "nmap");
      scan.startedAt = a.start ? new Date(Number(a.start) * 1000) : null;
    } else if (tag.name === "scaninfo" && a.services) {
      scan.scanned ??= new Set();
      for (const port of parsePortSpec(a.services))
        scan.scanned.add(portKey(a.protocol ?? "tcp", port));
    } else if (tag.name === "host") {
      const host = {
        address: "",
        name: null,
        status: "down" as const,
        ports: new Map(),
        otherPorts: null,
      };
      reading = { host, port: null, extra: [] };
    } else if (reading) readHostTag(reading, tag);
  }
  if (scan.scanner === "") throw new RuntimeError(`${source}: not an nmap -oX file (no <nmaprun>)`);
  scan.hosts = scan.hosts.filter((h) => h.address !== "");
  return scan;
}
