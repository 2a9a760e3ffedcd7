// The probe transports a scan can use, by name: the loop (engine/loop-state.ts) asks here for
// the one its settings name. A new transport (UDP, raw SYN) adds its name and a line below.
import { loadPayloads } from "../ports/udp-payloads.ts";
import { ConnectTransport } from "./connect-transport.ts";
import type { FdTable } from "./fd-table.ts";
import type { ProbeAddress } from "./probe-socket.ts";
import type { ProbeTransport } from "./probe-transport.ts";
import type { EngineName } from "./readiness.ts";
import { SynProbeTransport, type SynSource } from "./syn/syn-probe-transport.ts";
import { UdpTransport } from "./udp-transport.ts";

export const TRANSPORT_NAMES = ["connect", "syn", "udp"] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

export interface TransportOptions {
  targets: readonly ProbeAddress[];
  /** What waits for sockets: epoll or poll() (readiness.ts). */
  engine: EngineName;
  /** The loop's per-handle table, which a transport grows for its handles (FdTable.ensure). */
  table: FdTable;
  /** -S and -g (the SYN transport's source address and port). */
  source: SynSource;
}

export function createTransport(name: TransportName, options: TransportOptions): ProbeTransport {
  switch (name) {
    case "connect":
      return new ConnectTransport(options.targets, options.engine, options.table);
    case "udp":
      // Loaded in each Worker (nmap's file where installed): ~10 ms, once per scan and thread.
      return new UdpTransport(options.targets, options.engine, options.table, loadPayloads());
    case "syn":
      return new SynProbeTransport(options.targets, options.table, options.source);
  }
}
