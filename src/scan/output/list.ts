// --list: the open ports as a comma list for `nmap -p`. With several hosts each line starts
// with the host's address (`while read host ports; do nmap -p "$ports" "$host"; done`); a host
// with no open port prints nothing, so `nmap -p $(tp-scan --list ...)` never gets an empty -p.
import type { HostResult } from "../model/results.ts";
import { portsIn } from "./document.ts";

export function listLines(host: HostResult, labelled: boolean): string {
  const open = portsIn(host, "open");
  if (open.length === 0) return "";
  return `${labelled ? `${host.target.address} ` : ""}${open.join(",")}\n`;
}
