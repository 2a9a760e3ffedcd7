// -oJ FILE: the --json document (one JSON object for the whole run), with the same keys as
// report.ts's --json, from HostResults; plus the scan's identity and each host's status.
// Per-host engine stats (fds, probes) are not in HostResult, so not here. Pure.
import { VERSION } from "../../shared/cli.ts";
import { hiddenStates, type ReportInput, shownPorts } from "./document.ts";

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function jsonDocument(input: ReportInput): string {
  const { summary } = input;
  const doc = {
    scanner: "tp-scan",
    version: VERSION,
    scan: input.identity,
    settings: { ...summary.settings, show: ["open", ...input.show] },
    targets: input.hosts.map((h) => ({
      target: h.target.name,
      address: h.target.address,
      family: h.target.family === 6 ? "ipv6" : "ipv4",
      otherAddresses: h.target.otherAddresses,
      status: h.status,
      reason: h.reason,
      interrupted: h.interrupted,
      ports: shownPorts(h, input.services, hiddenStates(input.show)),
      counts: h.counts,
      timing: {
        startedAt: h.startedAt.toISOString(),
        elapsedMs: round(h.elapsedMs, 1),
        portsPerSecond: h.elapsedMs > 0 ? Math.round((h.counts.scanned * 1000) / h.elapsedMs) : 0,
        srttMs: h.timing.srttMs === null ? null : round(h.timing.srttMs, 3),
        rttvarMs: h.timing.rttvarMs === null ? null : round(h.timing.rttvarMs, 3),
        timeoutMs: round(h.timing.timeoutMs, 1),
      },
    })),
    startedAt: summary.startedAt.toISOString(),
    elapsedMs: round(summary.elapsedMs, 1),
    interrupted: summary.interrupted,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
