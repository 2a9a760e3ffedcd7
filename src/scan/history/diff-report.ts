// `tp-scan diff` as text (one line a change, ndiff's +/- marks) or --jsonl (a `diff` line,
// one line a change, a `summary` line), and its exit status: 0 no change, 1 changes.
import { plural } from "../../shared/plural.ts";
import type { DiffChange, PortRef, ScanDiff } from "./diff.ts";
import type { ScanSnapshot } from "./snapshot.ts";

function described(scan: ScanSnapshot): string {
  const when = scan.startedAt ? `, ${scan.startedAt.toISOString().replace(/\.\d+Z$/, "Z")}` : "";
  return `${scan.source} (${scan.scanner}${when})`;
}

function hostName(address: string, name: string | null): string {
  return name ? `${address} (${name})` : address;
}

function portList(ports: PortRef[]): string {
  if (ports.length === 0) return "no open port";
  return ports.map((p) => (p.service ? `${p.port} ${p.service}` : p.port)).join(", ");
}

function changeLine(change: DiffChange): string {
  switch (change.type) {
    case "host-appeared":
      return `+ ${hostName(change.address, change.name)} is up: ${portList(change.open)}`;
    case "host-vanished":
      return `- ${hostName(change.address, change.name)} is ${change.status === "absent" ? "gone" : change.status} (had ${portList(change.open)})`;
    case "port-opened":
      return `+ ${change.address} ${change.port} open ${change.service ?? ""} (was ${change.was})`.replace(
        "  (",
        " (",
      );
    case "port-closed":
      return `- ${change.address} ${change.port} ${change.now} (was open${change.service ? ` ${change.service}` : ""})`;
    case "service-changed":
      return `~ ${change.address} ${change.port} service ${change.was ?? "unknown"} -> ${change.now ?? "unknown"}`;
  }
}

export function diffText(old: ScanSnapshot, next: ScanSnapshot, diff: ScanDiff): string {
  const c = diff.counts;
  const lines = [`tp-scan diff: ${described(old)} -> ${described(next)}`];
  for (const change of diff.changes) lines.push(changeLine(change));
  lines.push(
    diff.changes.length === 0
      ? `no change (${plural(c.hosts, "host")} compared)`
      : `${plural(c.hosts, "host")} compared: ${c.appeared} up, ${c.vanished} gone; ${plural(c.opened, "port")} opened, ${c.closed} closed, ${c.serviceChanged} changed service`,
  );
  return `${lines.join("\n")}\n`;
}

function scanRef(scan: ScanSnapshot) {
  return {
    source: scan.source,
    scanner: scan.scanner,
    startedAt: scan.startedAt?.toISOString() ?? null,
  };
}

/** The --jsonl form: `diff` first, a line per change (ports as number + protocol), `summary` last. */
export function diffJsonl(old: ScanSnapshot, next: ScanSnapshot, diff: ScanDiff): string {
  const lines: unknown[] = [{ type: "diff", format: 1, old: scanRef(old), new: scanRef(next) }];
  for (const change of diff.changes) {
    if ("port" in change) {
      const [port, protocol] = change.port.split("/");
      lines.push({ ...change, port: Number(port), protocol });
    } else lines.push(change);
  }
  lines.push({ type: "summary", changes: diff.changes.length, ...diff.counts });
  return lines.map((l) => `${JSON.stringify(l)}\n`).join("");
}

export function diffExitCode(diff: ScanDiff): number {
  return diff.changes.length === 0 ? 0 : 1;
}
