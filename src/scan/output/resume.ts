// --resume FILE.jsonl: what an interrupted run's file already holds, as the states the engine
// reports without probing (plan.known), and the file itself, to which the rest is appended.
import { readFileSync } from "node:fs";
import { RuntimeError, UsageError } from "../../shared/errors.ts";
import type { ScanIdentity } from "../model/results.ts";
import { type JsonlFile, mergeJsonl, scanMismatch } from "./jsonl-read.ts";
import type { OutputTarget } from "./sinks.ts";

export interface Resume {
  /** Port states by port index, per host index: 0 = still to probe. */
  known: Map<number, Uint8Array>;
  /** The seed of the interrupted run: the resumption probes in the same order. */
  seed: number;
  /** The file, reopened to append this run's lines. */
  output: OutputTarget;
}

/**
 * An input file (`-` = stdin): one that cannot be read is a usage error (exit 2), as for -iL:
 * the command line named a file that is not there.
 */
export function readInputFile(path: string, flag: string): JsonlFile {
  try {
    return { name: path, text: readFileSync(path === "-" ? 0 : path, "utf8") };
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new UsageError(`${flag}: cannot read '${path}' (${code})`);
  }
}

/** Read `path` and check it is the same scan as `identity` (whose seed is taken from it). */
export function loadResume(path: string, identity: ScanIdentity, ports: number[]): Resume {
  const merged = mergeJsonl([readInputFile(path, "--resume")]);
  const why =
    scanMismatch(merged.identity, { ...identity, seed: merged.identity.seed }) ??
    (merged.identity.shard?.index !== identity.shard?.index ? "a different shard" : null) ??
    (merged.ports.join(",") !== ports.join(",") ? "a different port list" : null);
  if (why) throw new RuntimeError(`cannot resume from '${path}': ${why}`);
  return {
    known: new Map(merged.hosts.map((h) => [h.hostIndex, h.states])),
    seed: merged.identity.seed,
    output: { format: "jsonl", path, append: true },
  };
}
