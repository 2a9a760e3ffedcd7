// `tp-scan merge FILE...`: --jsonl files of one scan (its shards, a run and its resumption)
// into one report, in any of the output formats.
import { UsageError } from "../../shared/errors.ts";
import { plural } from "../../shared/plural.ts";
import { writeAll } from "../../shared/stdout.ts";
import type { HostResult, PortState } from "../model/results.ts";
import type { ServiceTable } from "../ports/services.ts";
import type { RunSummary } from "./document.ts";
import { type JsonlFile, type MergedScan, mergeJsonl } from "./jsonl-read.ts";
import { listLines } from "./list.ts";
import { textReporter } from "./report.ts";
import { readInputFile } from "./resume.ts";
import { type OutputTarget, openOutputs } from "./sinks.ts";

export interface MergeRequest {
  files: string[];
  outputs: OutputTarget[];
  /** What goes to stdout when no output is "-": tp-scan's text report, --json or --list. */
  stdout: "text" | "json" | "list";
  show: PortState[];
  services: ServiceTable;
  warn: (line: string) => void;
  /** The merge's own command line (argv[0] first): the files it writes say what made them. */
  command: string[];
}

function readAll(files: string[]): JsonlFile[] {
  if (files.length === 0) throw new UsageError("no file to merge");
  return files.map((name) => readInputFile(name, "merge"));
}

function describeGaps(merged: MergedScan, warn: (line: string) => void): void {
  const count = merged.identity.shard?.count;
  if (count && merged.shards.length < count) {
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter(
      (i) => !merged.shards.includes(i),
    );
    warn(
      `shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${count} missing: the report is partial`,
    );
  }
  if (merged.conflicts > 0)
    warn(
      `${plural(merged.conflicts, "port")} ${merged.conflicts === 1 ? "has" : "have"} different states in different files: the later file wins`,
    );
}

/** The text report and --list are tp-scan's own stdout, as when it scans (not output files). */
function stdoutPrinter(
  req: MergeRequest,
  labelled: boolean,
): ((host: HostResult) => string) | null {
  if (req.stdout === "text") return textReporter(req.show, req.services);
  if (req.stdout === "list") return (host) => listLines(host, labelled);
  return null;
}

/** Merge, write the report(s); the exit status (0, or 1 when the result is partial). */
export function runMerge(req: MergeRequest): number {
  const merged = mergeJsonl(readAll(req.files));
  describeGaps(merged, req.warn);
  const outputs = [...req.outputs];
  const stdoutTaken = outputs.some((o) => o.path === "-");
  if (!stdoutTaken && req.stdout === "json") outputs.push({ format: "json", path: "-" });
  const sink = openOutputs(outputs, {
    identity: merged.identity,
    ports: merged.ports,
    services: req.services,
    show: req.show,
    banners: true,
  });
  const summary: RunSummary = {
    // nmap's headers say how the file was made ("as: tp-scan merge ..."): the first part's
    // command line there claimed a scan of one shard (issue 19, item 5).
    command: req.command,
    startedAt: merged.startedAt,
    elapsedMs: merged.elapsedMs,
    interrupted: merged.interrupted,
    settings: merged.settings,
  };
  const printed = stdoutTaken ? null : stdoutPrinter(req, merged.hosts.length > 1);
  sink.begin(summary);
  for (const host of merged.hosts) {
    sink.host(host);
    if (printed) writeAll(1, printed(host));
  }
  sink.end(summary);
  return merged.hosts.some((h) => h.interrupted) ? 1 : 0;
}
