// The report of a run (bench/results/latest.md): the machine, the targets of every section, then
// each section's own part. Pure.
import type { Section } from "./section.ts";
import { fmtSeconds, renderTable } from "./table.ts";
import type { BenchResults, TargetCheck } from "./types.ts";

export function renderMachine(r: BenchResults): string {
  const m = r.machine;
  return [
    `Run ${m.date}${r.quick ? " (**--quick**: one short run per figure, proves the bench works, judges nothing)" : ""}, ${fmtSeconds(r.durationMs)} in all.`,
    `Machine: ${m.cores} cores (${m.cpuModel}), Linux ${m.kernel}, Bun ${m.bun}, ${m.node ? `Node.js ${m.node}` : "no Node.js"}, ${m.nmap ?? "no nmap"}; load average ${m.loadAvg.map((x) => x.toFixed(2)).join(" ")} at start${m.loadAvgEnd ? `, ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(" ")} at the end` : ""} (other work on this shared machine adds noise: compare the min–max spreads).`,
  ].join("\n");
}

export function renderTargets(targets: readonly TargetCheck[]): string {
  return renderTable(
    ["Target", "Wanted", "Measured", "Result"],
    targets.map((t) => [
      t.name,
      t.target,
      t.measured,
      t.pass === null ? "not measured" : t.pass ? "pass" : "**FAIL**",
    ]),
  );
}

export function renderMarkdown(r: BenchResults, sections: readonly Section[]): string {
  const parts = sections.flatMap((s) => {
    const results = r.sections[s.name];
    return [`## ${s.title}`, "", results == null ? "_Not run._" : s.render(results), ""];
  });
  return [
    "# tp-net benchmark results",
    "",
    renderMachine(r),
    "",
    "## Targets",
    "",
    renderTargets(r.targets),
    "",
    ...parts,
  ].join("\n");
}
