// -sU with -sT or -sS: which ports the UDP pass probes. The same -p and --exclude-ports as the
// TCP pass; --top-ports and -F rank them by nmap-services' UDP column (the TCP pass by its TCP
// one), as nmap -sS -sU --top-ports N probes the top N of each.
import { selectPorts } from "../ports/selection.ts";
import { loadPortRanking, NMAP_SERVICES } from "../ports/top-ports.ts";

/** True when the flags ask for a TCP scan and -sU together. */
export function twoProtocols(args: Record<string, unknown>): boolean {
  return args.udp === true && (args["syn-scan"] === true || args["connect-scan"] === true);
}

/** The UDP pass's ports, or null when the run has one protocol. */
export function udpPassPorts(args: Record<string, unknown>): number[] | null {
  if (!twoProtocols(args)) return null;
  const text = (name: string) =>
    typeof args[name] === "string" ? (args[name] as string) : undefined;
  return selectPorts(
    {
      ports: text("ports"),
      topPorts: text("top-ports"),
      fast: args.fast === true,
      excludePorts: text("exclude-ports"),
    },
    () => loadPortRanking(NMAP_SERVICES, "udp"),
  ).ports;
}
