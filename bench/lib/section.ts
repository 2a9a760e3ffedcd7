// What a bench section is: a name, a run, its targets and its rendering. bench/run.ts holds the
// one list of sections; adding a section is one module and one line there.
import type { Machine, TargetCheck } from "./types.ts";

export interface RunContext {
  /** Under a minute in all: proves the section works, judges nothing. */
  quick: boolean;
  /** Runs per figure: --runs N, else the section's own default for a full or a quick run. */
  runs: number | null;
  /** Whether cases needing a network namespace may run (--no-lab turns them off). */
  lab: boolean;
  log: (line: string) => void;
}

/** How this run did against `wanted`, or null when the section could not measure it. */
export type Verdict = { measured: string; pass: boolean } | null;

export interface Target<R> {
  name: string;
  /** The target as the issue states it, e.g. ">= 1.50x" or "< 5 s". */
  wanted: string;
  check(results: R): Verdict;
}

/** A chart file (SVG) a section draws from its results, written next to latest.md. */
export interface Chart {
  file: string;
  svg: string;
}

export interface Section<R = unknown> {
  /** Key in latest.json and in --only. */
  name: string;
  /** Heading in latest.md, e.g. "tp-echo vs node:net". */
  title: string;
  run(ctx: RunContext): Promise<R>;
  targets: readonly Target<R>[];
  /** The section's part of latest.md (without its heading). */
  render(results: R): string;
  charts?(results: R, machine: Machine): Chart[];
}

/** Every target of every section, checked against the results of those that ran. */
export function evaluateTargets(
  sections: readonly Section[],
  results: Readonly<Record<string, unknown>>,
): TargetCheck[] {
  return sections.flatMap((section) => {
    const r = results[section.name];
    return section.targets.map((t) => {
      const verdict = r == null ? null : t.check(r);
      return {
        section: section.name,
        name: t.name,
        target: t.wanted,
        measured: verdict?.measured ?? "not measured",
        pass: verdict?.pass ?? null,
      };
    });
  });
}
