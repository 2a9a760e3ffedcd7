// --db FILE: each run recorded as it goes, from the same --jsonl lines the scan writes (scan
// line at the start, a host's port and host lines when the host is done, run line at the end),
// so that a run in the history reads back through the --jsonl reader. A run cut by Ctrl-C is
// closed as interrupted; a run killed outright stays "running" with the hosts it finished.
import type { Database } from "bun:sqlite";
import type { HostResult } from "../model/results.ts";
import { hiddenStates, type RunSummary, shownPorts } from "../output/document.ts";
import { hostLine, portLine, runLine, scanLine } from "../output/jsonl.ts";
import type { OutputContext, Outputs } from "../output/sinks.ts";
import type { ServiceTable } from "../ports/services.ts";
import { openHistory } from "./db.ts";
import { appendLines, finishRun, insertRun } from "./runs.ts";

const lineOf = (text: string) => text.replace(/\n$/, "");

/** The port lines tp-scan's --jsonl holds for a done host: its open ports (and --show states). */
function hostLines(result: HostResult, ctx: OutputContext, services: ServiceTable): string[] {
  const ports = shownPorts(result, services, hiddenStates(ctx.show));
  return [
    ...ports.map((p) => lineOf(portLine(result.target, result.hostIndex, p, services))),
    lineOf(hostLine(result)),
  ];
}

export function openRecorder(path: string, ctx: OutputContext): Outputs {
  const db: Database = openHistory(path, { create: true });
  const hosts: HostResult[] = [];
  let id = 0;
  let seq = 0;
  const append = (lines: string[]) => {
    appendLines(db, id, seq, lines);
    seq += lines.length;
  };
  return {
    begin(summary: RunSummary) {
      id = insertRun(db, {
        identity: ctx.identity,
        startedAt: summary.startedAt,
        command: summary.command,
      });
      append([lineOf(scanLine(ctx.identity, ctx.ports, summary))]);
    },
    open() {},
    host(result) {
      hosts.push(result);
      append(hostLines(result, ctx, ctx.services));
    },
    end(summary) {
      append([lineOf(runLine(hosts, summary))]);
      finishRun(db, id, {
        status: summary.interrupted ? "interrupted" : "done",
        hostsUp: hosts.filter((h) => h.status === "up").length,
        openPorts: hosts.reduce((sum, h) => sum + h.counts.open, 0),
      });
      db.close();
    },
  };
}

/** `outputs`, and the --db recorder after them when a history file is named. */
export function withRecorder(
  outputs: Outputs,
  db: string | null | undefined,
  ctx: OutputContext,
): Outputs {
  if (!db) return outputs;
  const recorder = openRecorder(db, ctx);
  return {
    begin(summary) {
      outputs.begin(summary);
      recorder.begin(summary);
    },
    open: (target, hostIndex, port, protocol) => outputs.open(target, hostIndex, port, protocol),
    host(result) {
      outputs.host(result);
      recorder.host(result);
    },
    end(summary) {
      outputs.end(summary);
      recorder.end(summary);
    },
  };
}
