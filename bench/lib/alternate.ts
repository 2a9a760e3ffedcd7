// Ours and the peers run in turn, and who goes first alternates from run to run, so a slow
// moment of this shared machine hits both sides alike (the figures are ratios between them).

/**
 * The order of runs: pass r runs every spec still owed a run, in list order on even passes and
 * reversed on odd ones. `runsOf[i]` is how many runs spec i gets. Pure: [spec index, run].
 */
export function alternationOrder(runsOf: readonly number[]): Array<[number, number]> {
  const order: Array<[number, number]> = [];
  const passes = Math.max(0, ...runsOf);
  const indexes = runsOf.map((_, i) => i);
  for (let r = 0; r < passes; r++) {
    for (const i of r % 2 === 0 ? indexes : [...indexes].reverse())
      if (r < (runsOf[i] ?? 0)) order.push([i, r]);
  }
  return order;
}

/**
 * Run each spec `runs` times (or `runsOf(spec)`) in alternation, one at a time; the outcomes of
 * each spec, in the order of its runs.
 */
export async function alternateRuns<S, T>(
  specs: readonly S[],
  runs: number | ((spec: S) => number),
  once: (spec: S, run: number) => Promise<T>,
): Promise<T[][]> {
  const outcomes: T[][] = specs.map(() => []);
  const counts = specs.map((s) => (typeof runs === "number" ? runs : runs(s)));
  for (const [i, r] of alternationOrder(counts)) outcomes[i]?.push(await once(specs[i] as S, r));
  return outcomes;
}
