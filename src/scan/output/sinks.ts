// Where the reports go: any number of files and at most one stdout ("-"), each written as its
// results become final (a --jsonl line at once, a host block of -oN/-oG/-oX when the host is
// done, -oJ at the end).
import { closeSync, openSync } from "node:fs";
import { RuntimeError, UsageError } from "../../shared/errors.ts";
import { writeAll } from "../../shared/stdout.ts";
import type { HostResult, Protocol } from "../model/results.ts";
import type { Target } from "../targets/target.ts";
import { hiddenStates, type OutputContext, type RunSummary, shownPorts } from "./document.ts";
import { grepableFooter, grepableHeader, grepableHost } from "./grepable.ts";
import { jsonWriter } from "./json.ts";
import {
  hostRecord,
  type JsonlLine,
  lineText,
  portRecord,
  runRecord,
  scanRecord,
} from "./jsonl.ts";
import { normalFooter, normalHeader, normalHost } from "./normal.ts";
import { xmlFooter, xmlHeader, xmlHost } from "./xml.ts";

export type FileFormat = "jsonl" | "normal" | "grepable" | "xml" | "json";

export interface OutputTarget {
  format: FileFormat;
  /** A file name, or "-" for stdout. */
  path: string;
  /** Add to the file instead of replacing it (--resume). */
  append?: boolean;
}

/** -oA BASE writes every format, named as nmap names its three. */
export const ALL_FORMATS: Array<{ format: FileFormat; extension: string }> = [
  { format: "normal", extension: "nmap" },
  { format: "grepable", extension: "gnmap" },
  { format: "xml", extension: "xml" },
  { format: "json", extension: "json" },
  { format: "jsonl", extension: "jsonl" },
];

/** Refuse two outputs on stdout, or one file named twice. */
export function checkTargets(targets: OutputTarget[]): void {
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.path)) {
      throw new UsageError(
        t.path === "-"
          ? "only one output can go to stdout ('-')"
          : `'${t.path}' is named as two outputs`,
      );
    }
    seen.add(t.path);
  }
}

export type { OutputContext } from "./document.ts";

/** Whether an output takes stdout (then the terminal report is not printed). */
export function takesStdout(targets: OutputTarget[]): boolean {
  return targets.some((t) => t.path === "-");
}

/** Everything the scan tells its outputs, in order: begin, open* and host*, end. */
export interface Outputs {
  begin(summary: RunSummary): void;
  open(target: Target, hostIndex: number, port: number, protocol?: Protocol): void;
  host(result: HostResult): void;
  end(summary: RunSummary): void;
}

/** A port's key among a host's written ones: 53/tcp and 53/udp are two. */
const writtenKey = (port: number, protocol: Protocol) => (protocol === "udp" ? port + 65536 : port);

interface Sink extends Outputs {
  close(): void;
}

function openFd(target: OutputTarget): number {
  if (target.path === "-") return 1;
  try {
    return openSync(target.path, target.append ? "a" : "w");
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new RuntimeError(`cannot write '${target.path}' (${code})`);
  }
}

/**
 * --jsonl as objects, each batch handed to `emit` as soon as it is final (the file's sink
 * writes them; the library API yields them): a port when found open, a host's other shown
 * ports and its host line when it is done, the run line at the end.
 */
export function jsonlStream(ctx: OutputContext, emit: (lines: JsonlLine[]) => void): Outputs {
  // Ports already written, per host in flight, so the host's own pass does not repeat them;
  // and the hosts already written: an open port that another thread's batch brings after its
  // host's line is in that line already (issue 19: it was written a second time, after it).
  const written = new Map<number, Set<number>>();
  const finished = new Set<number>();
  const hosts: HostResult[] = [];
  return {
    begin: (summary) => emit([scanRecord(ctx.identity, ctx.ports, summary)]),
    open(target, hostIndex, port, protocol = "tcp") {
      if (ctx.banners || finished.has(hostIndex)) return;
      const done = written.get(hostIndex) ?? new Set<number>();
      written.set(hostIndex, done);
      if (done.has(writtenKey(port, protocol))) return;
      done.add(writtenKey(port, protocol));
      const reason = protocol === "udp" ? "udp-response" : "syn-ack";
      const service = ctx.services.get(port) ?? null;
      const entry = { port, protocol, state: "open" as const, reason, service };
      emit([portRecord(target, hostIndex, entry, ctx.services)]);
    },
    host(result) {
      const done = written.get(result.hostIndex);
      written.delete(result.hostIndex);
      finished.add(result.hostIndex);
      hosts.push(result);
      const lines: JsonlLine[] = [];
      for (const p of shownPorts(result, ctx.services, hiddenStates(ctx.show)))
        if (!done?.has(writtenKey(p.port, p.protocol)))
          lines.push(portRecord(result.target, result.hostIndex, p, ctx.services));
      lines.push(hostRecord(result));
      emit(lines);
    },
    end: (summary) => emit([runRecord(hosts, summary)]),
  };
}

function jsonlSink(fd: number, ctx: OutputContext): Outputs {
  // One write a batch: a host's port lines and host line go out together.
  return jsonlStream(ctx, (lines) => writeAll(fd, lines.map(lineText).join("")));
}

/** Several outputs told the same, in order. */
export function fanOut(outputs: Outputs[]): Outputs {
  return {
    begin(summary) {
      for (const o of outputs) o.begin(summary);
    },
    open(target, hostIndex, port, protocol) {
      for (const o of outputs) o.open(target, hostIndex, port, protocol);
    },
    host(result) {
      for (const o of outputs) o.host(result);
    },
    end(summary) {
      for (const o of outputs) o.end(summary);
    },
  };
}

type Parts = {
  header(summary: RunSummary): string;
  host(h: HostResult): string;
  footer(hosts: HostResult[], summary: RunSummary): string;
};

function blockSink(fd: number, parts: Parts, hosts: HostResult[]): Outputs {
  return {
    begin: (summary) => writeAll(fd, parts.header(summary)),
    open() {},
    host: (h) => writeAll(fd, parts.host(h)),
    end: (summary) => writeAll(fd, parts.footer(hosts, summary)),
  };
}

function sinkFor(target: OutputTarget, ctx: OutputContext, hosts: HostResult[]): Sink {
  const fd = openFd(target);
  const { services, show } = ctx;
  let inner: Outputs;
  switch (target.format) {
    case "jsonl":
      inner = jsonlSink(fd, ctx);
      break;
    case "normal":
      inner = blockSink(
        fd,
        { header: normalHeader, host: (h) => normalHost(h, services, show), footer: normalFooter },
        hosts,
      );
      break;
    case "grepable":
      inner = blockSink(
        fd,
        {
          header: grepableHeader,
          host: (h) => grepableHost(h, services, show),
          footer: grepableFooter,
        },
        hosts,
      );
      break;
    case "xml":
      inner = blockSink(
        fd,
        {
          header: (s) =>
            xmlHeader(s, ctx.passes ?? [{ type: "connect", protocol: "tcp", ports: ctx.ports }]),
          host: (h) => xmlHost(h, services, show),
          footer: xmlFooter,
        },
        hosts,
      );
      break;
    case "json": {
      const doc = jsonWriter(ctx);
      inner = {
        begin: (summary) => writeAll(fd, doc.head(summary)),
        open() {},
        host: (h) => writeAll(fd, doc.target(h)),
        end: (summary) => writeAll(fd, doc.tail(summary)),
      };
      break;
    }
  }
  return { ...inner, close: () => fd !== 1 && closeSync(fd) };
}

/** Open every output (files are created before the scan starts, so a bad path fails early). */
export function openOutputs(targets: OutputTarget[], ctx: OutputContext): Outputs {
  checkTargets(targets);
  const hosts: HostResult[] = [];
  const sinks = targets.map((t) => sinkFor(t, ctx, hosts));
  const all = fanOut(sinks);
  return {
    ...all,
    host(result) {
      hosts.push(result);
      all.host(result);
    },
    end(summary) {
      all.end(summary);
      for (const s of sinks) s.close();
    },
  };
}
