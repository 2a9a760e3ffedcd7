// `bun run torture [--quick]`: drive tp-echo and tp-guess the way an attacker would, on
// loopback only, each case bounded in clients and time and asserting what it promises; write
// the table to bench/results/torture.md (--quick: torture-quick.md; CI runs --quick).
// docs/hardening.md explains the promises and the memory bound.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inputCases } from "./torture/cases-input.ts";
import { lifeCases } from "./torture/cases-life.ts";
import { memoryCases } from "./torture/cases-memory.ts";
import { slotCases } from "./torture/cases-slots.ts";
import { webCases } from "./torture/cases-web.ts";
import type { Outcome, TortureCase } from "./torture/types.ts";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
/** Whole-run watchdog: a case that hangs fails the run rather than holding CI. */
const WATCHDOG_MS = quick ? 120_000 : 300_000;

const all: TortureCase[] = [...memoryCases, ...slotCases, ...inputCases, ...lifeCases, ...webCases];
const cases = all.filter((c) => (quick ? c.quick : true) && (!only || c.name.includes(only)));

const watchdog = setTimeout(() => {
  console.error(`torture: still running after ${WATCHDOG_MS / 1000} s: stopping`);
  process.exit(1);
}, WATCHDOG_MS);

const rows: Array<{ c: TortureCase; outcome: Outcome; seconds: number }> = [];
const t0 = performance.now();
for (const c of cases) {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await c.run({ quick });
  } catch (error) {
    outcome = { pass: false, figures: `crashed: ${(error as Error).message}` };
  }
  const seconds = (performance.now() - started) / 1000;
  rows.push({ c, outcome, seconds });
  console.log(
    `${outcome.pass ? "PASS" : "FAIL"} ${c.name} (${seconds.toFixed(1)} s): ${outcome.figures}`,
  );
}
clearTimeout(watchdog);

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const table = [
  `# Torture results${quick ? " (--quick)" : ""}`,
  "",
  `\`bun run torture${quick ? " --quick" : ""}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${((performance.now() - t0) / 1000).toFixed(0)} s. What each case promises and how: docs/hardening.md.`,
  "",
  "| test | promise | result | figures |",
  "| --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${cell(r.c.name)} | ${cell(r.c.promise)} | ${r.outcome.pass ? "pass" : "**FAIL**"} (${r.seconds.toFixed(1)} s) | ${cell(r.outcome.figures)} |`,
  ),
  "",
].join("\n");
const out = join(import.meta.dir, "results", quick ? "torture-quick.md" : "torture.md");
if (!only) writeFileSync(out, table);
const failed = rows.filter((r) => !r.outcome.pass).length;
console.log(
  `torture: ${rows.length - failed} passed, ${failed} failed${only ? "" : `; table in ${out}`}`,
);
process.exit(failed === 0 ? 0 : 1);
