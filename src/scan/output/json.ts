// -oJ FILE: the --json document (one JSON object for the whole run). Pure.
import { VERSION } from "../../shared/cli.ts";
import { countsOf, hiddenStates, type ReportInput, shownPorts } from "./model.ts";

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
      counts: { scanned: h.counts.scanned, ...countsOf(h) },
      timing: {
        startedAt: h.startedAt.toISOString(),
        elapsedMs: Math.round(h.elapsedMs * 10) / 10,
        srttMs: h.timing.srttMs,
        rttvarMs: h.timing.rttvarMs,
        timeoutMs: h.timing.timeoutMs,
      },
    })),
    startedAt: summary.startedAt.toISOString(),
    elapsedMs: Math.round(summary.elapsedMs * 10) / 10,
    interrupted: summary.interrupted,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
