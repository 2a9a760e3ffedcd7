// Full loopback range, two yardsticks: `tp-scan --engine portable` (poll) against nmap -sT -T5,
// and the Linux engine (epoll) against a plain C loop with the engine's two tricks on two threads
// (c-loop.ts). Runs alternate; every run's result is checked against `ss -ltn` (scan-truth.ts),
// and exactness is part of each verdict. Exported for bench/run.ts.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { ssListening } from "../scripts/lib/ss.ts";
import { buildCLoop } from "./c-loop.ts";
import { alternateRuns } from "./lib/alternate.ts";
import { parseNmapGrepable } from "./lib/parse.ts";
import type { RunContext, Section } from "./lib/section.ts";
import { median, pairedRatioMedian, type Summary, summarize } from "./lib/stats.ts";
import { fmtRatio, fmtSeconds, renderTable } from "./lib/table.ts";
import { parseCommaList } from "./scan.ts";
import { ownListeners, ssWatcher, verifyLoopback } from "./scan-truth.ts";

interface PortableTool {
  name: string;
  wallMs: number[];
  /** User and system CPU time of each run, ms. */
  userMs: number[];
  sysMs: number[];
  exactRuns: number;
  notes: string[];
}

export interface PortableResults {
  tools: PortableTool[];
  /** Median of run-paired ratios portable / nmap -sT -T5 (null: nmap or tp-scan missing). */
  portableVsNmap: number | null;
  /** Median of run-paired ratios Linux engine / plain C loop (null: C loop or tp-scan missing). */
  linuxVsCLoop: number | null;
  notes: string[];
}

const PORTABLE = "tp-scan --engine portable";
const LINUX = "tp-scan --engine linux";
const NMAP = "nmap -sT -T5";
const C_LOOP = "plain C loop (2 threads, same tricks)";
const LIMIT_MS = 120_000;

function specs(
  cLoop: string | null,
): { name: string; argv: string[]; parse: (s: string) => number[] }[] {
  const exe = join(ROOT, "tp-scan");
  const out: { name: string; argv: string[]; parse: (s: string) => number[] }[] = [];
  if (existsSync(exe)) {
    for (const [name, engine] of [
      [PORTABLE, "portable"],
      [LINUX, "linux"],
    ] as const)
      out.push({
        name,
        argv: [exe, "127.0.0.1", "-p-", "--list", "--engine", engine],
        parse: parseCommaList,
      });
  }
  if (Bun.which("nmap"))
    out.push({
      name: NMAP,
      argv: ["nmap", "-sT", "-T5", "-n", "-Pn", "--open", "-p-", "-oG", "-", "127.0.0.1"],
      parse: parseNmapGrepable,
    });
  if (cLoop) out.push({ name: C_LOOP, argv: [cLoop], parse: parseCommaList });
  return out;
}

async function run(ctx: RunContext): Promise<PortableResults> {
  const cLoop = await buildCLoop();
  const list = specs("exe" in cLoop ? cLoop.exe : null);
  const tools: PortableTool[] = list.map((s) => ({
    name: s.name,
    wallMs: [],
    userMs: [],
    sysMs: [],
    exactRuns: 0,
    notes: [],
  }));
  const notes: string[] = [];
  if ("skipped" in cLoop) notes.push(cLoop.skipped);
  if (!list.some((s) => s.name === NMAP)) notes.push("nmap is not installed: no ratio.");
  if (!list.some((s) => s.name === PORTABLE)) notes.push("./tp-scan is not built.");
  const runs = ctx.runs ?? (ctx.quick ? 1 : 7);
  const own = ownListeners(3);
  try {
    await alternateRuns(list, runs, async (spec, r) => {
      const tool = tools[list.indexOf(spec)] as PortableTool;
      const before = ssListening("127.0.0.1");
      const watch = ssWatcher("127.0.0.1", 100);
      const res = await runCommand(spec.argv, { timeoutMs: LIMIT_MS });
      const seen = await watch.stop();
      if (res.timedOut || res.code !== 0) {
        tool.notes.push(`run ${r + 1}: ${res.timedOut ? "time limit" : `exit ${res.code}`}`);
        return;
      }
      const verdict = await verifyLoopback(
        spec.parse(res.stdout),
        before,
        ssListening("127.0.0.1"),
        seen,
      );
      tool.wallMs.push(res.wallMs);
      tool.userMs.push(res.userMs ?? Number.NaN);
      tool.sysMs.push(res.sysMs ?? Number.NaN);
      if (verdict.exact) tool.exactRuns++;
      else tool.notes.push(`run ${r + 1}: ${verdict.detail}`);
      ctx.log(`portable ${spec.name} run ${r + 1}: ${fmtSeconds(res.wallMs)}`);
    });
  } finally {
    own.stop();
  }
  const portable = tools.find((t) => t.name === PORTABLE);
  const nmap = tools.find((t) => t.name === NMAP);
  const ratio = portable && nmap ? pairedRatioMedian(portable.wallMs, nmap.wallMs) : null;
  const linux = tools.find((t) => t.name === LINUX);
  const c = tools.find((t) => t.name === C_LOOP);
  const vsC = linux && c ? pairedRatioMedian(linux.wallMs, c.wallMs) : null;
  return { tools, portableVsNmap: ratio, linuxVsCLoop: vsC, notes };
}

function render(r: PortableResults): string {
  const cell = (s: Summary) =>
    s.n === 0 ? "–" : `${fmtSeconds(s.median)} (${fmtSeconds(s.min)}–${fmtSeconds(s.max)})`;
  const rows = r.tools.map((t) => [
    t.name,
    cell(summarize(t.wallMs)),
    `${fmtSeconds(median(t.userMs ?? []))} / ${fmtSeconds(median(t.sysMs ?? []))}`,
    `${t.exactRuns}/${t.wallMs.length}`,
    t.notes.join("; "),
  ]);
  const table = renderTable(
    ["tool", "whole process, median (min–max)", "user / sys CPU, median", "exact runs", "notes"],
    rows,
    ["left", "right", "right", "right", "left"],
  );
  const ratio = [
    `portable engine / nmap -sT -T5 (median of run-paired ratios): ${fmtRatio(r.portableVsNmap)}`,
    `Linux engine / plain C loop (median of run-paired ratios): ${fmtRatio(r.linuxVsCLoop ?? null)}`,
  ].join("  \n");
  return [
    "Full loopback range (1-65535), tools alternating; results checked against `ss -ltn`.",
    "",
    table,
    "",
    ratio,
    ...r.notes.map((n) => `\n_${n}_`),
  ].join("\n");
}

export const portableSection: Section<PortableResults> = {
  name: "portable",
  title: "tp-scan full loopback range: portable engine vs nmap -sT -T5, Linux engine vs plain C",
  run,
  targets: [
    {
      name: "portable engine, full loopback range vs nmap -sT -T5",
      wanted: "<= 1.00x",
      check: (r) =>
        r.portableVsNmap === null
          ? null
          : {
              measured: fmtRatio(r.portableVsNmap),
              pass:
                r.portableVsNmap <= 1 &&
                r.tools.every((t) => t.name === NMAP || t.exactRuns === t.wallMs.length),
            },
    },
    {
      name: "scan full loopback range vs plain C loop (2 threads, same tricks)",
      wanted: "<= 1.50x",
      check(r) {
        const ratio = r.linuxVsCLoop ?? null;
        if (ratio === null) return null;
        const exact = r.tools.every(
          (t) => (t.name !== LINUX && t.name !== C_LOOP) || t.exactRuns === t.wallMs.length,
        );
        const wall = (name: string) =>
          fmtSeconds(median(r.tools.find((t) => t.name === name)?.wallMs ?? []));
        const measured = `${fmtRatio(ratio)} (${wall(LINUX)} vs ${wall(C_LOOP)})${exact ? ", exact" : ", NOT exact"}`;
        return { measured, pass: ratio <= 1.5 && exact };
      },
    },
  ],
  render,
};
