// --json and -oJ FILE: one JSON document for the whole run, from this one builder (schema:
// docs/output.md, checked against real runs by test/scan/output-schema.test.ts). Written as it
// goes: the head at the start, a target as each host is done, the tail at the end, so that no
// host is kept for it (a /16 scan's document costs no memory beyond the host in hand). The text
// is what JSON.stringify(document, null, 2) gives. Pure.
import { VERSION } from "../../shared/cli.ts";
import type { ScanPlan } from "../model/plan.ts";
import type { HostResult } from "../model/results.ts";
import {
  hiddenStates,
  type OutputContext,
  portsPerSecond,
  type RunSummary,
  round,
  shownPorts,
} from "./document.ts";

/** The plan's settings as the JSON document and --jsonl's run line state them. */
export function documentSettings(plan: ScanPlan): Record<string, unknown> {
  const { probe } = plan;
  return {
    ports: plan.identity.portSpec,
    portCount: plan.ports.length,
    concurrency: probe.concurrency,
    threads: probe.threads,
    timeoutMs: probe.fixedTimeoutMs,
    adaptiveTimeout: probe.fixedTimeoutMs === null ? probe.policy : null,
    retries: probe.retries,
    ordered: plan.ordered,
    bannerMs: probe.bannerMs,
    seed: plan.seed,
    shard: plan.shard,
    discovery: probe.discovery,
  };
}

/** One entry of `targets`. */
export function jsonTarget(h: HostResult, ctx: OutputContext) {
  return {
    hostIndex: h.hostIndex,
    target: h.target.name,
    address: h.target.address,
    family: h.target.family === 6 ? "ipv6" : "ipv4",
    otherAddresses: h.target.otherAddresses,
    ...(h.protocol === "udp" ? { protocol: "udp" as const } : {}),
    status: h.status,
    reason: h.reason,
    discovery: h.discovery,
    allOpen: h.allOpen,
    interrupted: h.interrupted,
    ports: shownPorts(h, ctx.services, hiddenStates(ctx.show)),
    counts: h.counts,
    timing: {
      startedAt: h.startedAt.toISOString(),
      elapsedMs: round(h.elapsedMs, 1),
      portsPerSecond: portsPerSecond(h),
      srttMs: h.timing.srttMs === null ? null : round(h.timing.srttMs, 3),
      rttvarMs: h.timing.rttvarMs === null ? null : round(h.timing.rttvarMs, 3),
      timeoutMs: round(h.timing.timeoutMs, 1),
    },
  };
}

/** An object's members as JSON.stringify(o, null, 2) writes them, without the braces. */
function members(o: object): string {
  return JSON.stringify(o, null, 2).slice(2, -2);
}

/**
 * The document in three parts: head (start), targets (as hosts are done), tail (end). Targets
 * are written in command-line order (hostIndex): a host done before an earlier one waits, as
 * its text (~0.5 KB), until the earlier one is written; the tail writes whatever still waits.
 */
export function jsonWriter(ctx: OutputContext) {
  let written = 0;
  let next = 0;
  const waiting = new Map<number, string>();
  const entry = (text: string) => `${written++ === 0 ? "\n" : ",\n"}    ${text}`;
  const flush = (all: boolean): string => {
    let out = "";
    if (all) next = Math.min(next, ...waiting.keys());
    while (waiting.size > 0) {
      const text = waiting.get(next);
      if (text === undefined && !all) break;
      if (text !== undefined) out += entry(text);
      waiting.delete(next++);
    }
    return out;
  };
  return {
    head(summary: RunSummary): string {
      const head = {
        scanner: "tp-scan",
        version: VERSION,
        scan: ctx.identity,
        command: ["tp-scan", ...summary.command.slice(1)],
        settings: { ...summary.settings, show: ["open", ...ctx.show] },
        startedAt: summary.startedAt.toISOString(),
      };
      return `{\n${members(head)},\n  "targets": [`;
    },
    target(host: HostResult): string {
      waiting.set(
        host.hostIndex,
        JSON.stringify(jsonTarget(host, ctx), null, 2).replace(/\n/g, "\n    "),
      );
      return flush(false);
    },
    tail(summary: RunSummary): string {
      const tail = {
        elapsedMs: round(summary.elapsedMs, 1),
        interrupted: summary.interrupted,
        // The engine's counters (probes, retries, descriptors); null for a merge of files.
        stats: summary.stats ?? null,
      };
      const rest = flush(true);
      return `${rest}${written > 0 ? "\n  " : ""}],\n${members(tail)}\n}\n`;
    },
  };
}
