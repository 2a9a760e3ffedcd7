// --resume FILE.jsonl: what an interrupted run's file already holds, as the states the engine
// reports without probing (plan.known), and the file itself, to which the rest is appended.
import { readFileSync } from "node:fs";
import { RuntimeError } from "../../shared/errors.ts";
import type { ScanIdentity } from "../model/results.ts";
import { mergeJsonl, scanMismatch } from "./jsonl-read.ts";
import type { OutputTarget } from "./sinks.ts";

export interface Resume {
  /** Port states by port index, per host index: 0 = still to probe. */
  known: Map<number, Uint8Array>;
  /** The seed of the interrupted run: the resumption probes in the same order. */
  seed: number;
  /** The file, reopened to append this run's lines. */
  output: OutputTarget;
}

/** Read `path` and check it is the same scan as `identity` (whose seed is taken from it). */
export function loadResume(path: string, identity: ScanIdentity, ports: number[]): Resume {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new RuntimeError(`cannot read '${path}' (${code})`);
  }
  const merged = mergeJsonl([{ name: path, text }]);
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
