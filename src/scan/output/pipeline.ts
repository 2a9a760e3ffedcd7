// What the scan command does with each host as it is done, besides its terminal report: the
// files and streams asked for (-oN/-oG/-oX/-oJ/-oA, --jsonl) and the hand-off to nmap.

import type { ScanStats } from "../engine/engine.ts";
import { withRecorder } from "../history/recorder.ts";
import type { HostResult, PortState, Protocol, ScanIdentity, ScanPass } from "../model/results.ts";
import type { ServiceTable } from "../ports/services.ts";
import type { Target } from "../targets/target.ts";
import type { RunSummary } from "./document.ts";
import { type Handoff, startHandoff } from "./handoff.ts";
import type { JsonlLine } from "./jsonl.ts";
import type { Resume } from "./resume.ts";
import type { OutputTarget } from "./sinks.ts";
import { fanOut, jsonlStream, type Outputs, openOutputs } from "./sinks.ts";

export interface PipelineOptions {
  outputs: OutputTarget[];
  /** The words after `--`: run nmap on each host's open ports with them. */
  nmapArgs: string[] | null;
  /** --resume FILE.jsonl: the file to continue (read with loadResume before the plan is made). */
  resume?: string | null;
  /** --db FILE: record the run in this history (../history/recorder.ts). */
  db?: string | null;
  /** The --jsonl lines as objects, to this function (the library API: ../api/). */
  events?: ((lines: JsonlLine[]) => void) | null;
}

export interface PipelineContext {
  identity: ScanIdentity;
  ports: number[];
  /** Each protocol's pass (-oX <scaninfo>). */
  passes?: ScanPass[];
  services: ServiceTable;
  show: PortState[];
  banners: boolean;
  /** What the ports are probed with; absent: tcp. */
  protocol?: Protocol;
  command: string[];
  settings: Record<string, unknown>;
  warn: (line: string) => void;
  /** What loadResume read: its file gets this run's lines appended. */
  resume: Resume | null;
}

export interface Pipeline {
  open(target: Target, hostIndex: number, port: number, protocol?: Protocol): void;
  host(result: HostResult): void;
  /** Close the outputs (the JSON document ends with `stats`) and wait for the nmap runs; the worst nmap exit status. */
  finish(interrupted: boolean, stats?: ScanStats): Promise<number>;
}

export function startPipeline(options: PipelineOptions, ctx: PipelineContext): Pipeline {
  const handoff: Handoff | null = options.nmapArgs
    ? startHandoff(options.nmapArgs, ctx.warn)
    : null;
  const { resume } = ctx;
  const identity = resume ? { ...ctx.identity, seed: resume.seed } : ctx.identity;
  const targets = resume ? [...options.outputs, resume.output] : options.outputs;
  const files = openOutputs(targets, { ...ctx, identity });
  const streamed = options.events
    ? fanOut([files, jsonlStream({ ...ctx, identity }, options.events)])
    : files;
  const outputs: Outputs = withRecorder(streamed, options.db, { ...ctx, identity });
  const startedAt = new Date();
  const t0 = performance.now();
  const summary = (interrupted: boolean, stats?: ScanStats): RunSummary => ({
    command: ctx.command,
    startedAt,
    elapsedMs: performance.now() - t0,
    interrupted,
    settings: ctx.settings,
    stats,
  });
  outputs.begin(summary(false));
  return {
    open: (target, hostIndex, port, protocol) => outputs.open(target, hostIndex, port, protocol),
    host(result) {
      outputs.host(result);
      handoff?.host(result);
    },
    async finish(interrupted, stats) {
      outputs.end(summary(interrupted, stats));
      return handoff ? await handoff.done() : 0;
    },
  };
}
