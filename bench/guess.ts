// Guess benchmark: games/s with parallel bots (`tp-guess bot --games G --parallel P`) against our
// server (`tp-guess server --quiet`), and the bot's mean and worst guesses against the bound
// floor(log2 N) + 1. The issue names no peer for this one.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../scripts/lib/net.ts";
import { ROOT } from "../scripts/lib/root.ts";
import { runCommand } from "../scripts/lib/run.ts";
import { renderGuess } from "./lib/guess-report.ts";
import { parseBotSummary } from "./lib/parse.ts";
import type { Section } from "./lib/section.ts";
import { summarize } from "./lib/stats.ts";
import type { GuessCase, GuessResults } from "./lib/types.ts";
import { cpuMsOf, startServer } from "./proc.ts";

export interface GuessOptions {
  runs: number;
  quick: boolean;
  log: (line: string) => void;
}

const HOST = "127.0.0.1";

export async function runGuessBench(opts: GuessOptions): Promise<GuessResults> {
  const exe = join(ROOT, "tp-guess");
  if (!existsSync(exe))
    return { skipped: "./tp-guess is not built (run `bun run build`)", notes: [], cases: [] };
  const plan = opts.quick
    ? [{ max: "1000000", games: 100, parallel: 20 }]
    : [
        { max: "1000000", games: 300, parallel: 1 },
        { max: "1000000", games: 2000, parallel: 50 },
        { max: "10^100", games: 200, parallel: 50 },
      ];
  const cases: GuessCase[] = [];
  const notes: string[] = [];
  for (const p of plan) {
    const gps: number[] = [];
    const means: number[] = [];
    const botCpu: number[] = [];
    const serverCpu: number[] = [];
    const samples: string[] = [];
    let worst = 0;
    let bound = 0;
    let wins = 0;
    let played = 0;
    for (let r = 0; r < opts.runs; r++) {
      const port = await freePort(HOST);
      const server = await startServer(
        [exe, "server", "--host", HOST, "--port", String(port), "--quiet"],
        { host: HOST, port },
      );
      try {
        const cpu0 = cpuMsOf(server.pid);
        const argv = [
          exe,
          "bot",
          HOST,
          String(port),
          "--max",
          p.max,
          "--games",
          String(p.games),
          "--parallel",
          String(p.parallel),
        ];
        const res = await runCommand(argv, { timeoutMs: 120_000 });
        const cpu1 = cpuMsOf(server.pid);
        const s = parseBotSummary(res.stdout);
        if (!s) {
          notes.push(
            `max ${p.max} run ${r + 1}: ${res.timedOut ? "stopped at the time limit" : `exit ${res.code}`}, no summary: ${(res.stderr || res.stdout).trim().split("\n")[0]}`,
          );
          continue;
        }
        if (samples.length === 0) samples.push(res.stdout.trim());
        // The bot's own games/s excludes its start-up; fall back to our wall time.
        const rate = s.gamesPerSec ?? (s.games * 1000) / res.wallMs;
        const busyMs = (s.games * 1000) / rate;
        gps.push(rate);
        means.push(s.meanGuesses);
        worst = Math.max(worst, s.worstGuesses);
        bound = s.bound;
        wins += s.wins;
        played += s.games;
        if (res.cpuMs !== null) botCpu.push(res.cpuMs / busyMs);
        if (cpu0 !== null && cpu1 !== null) serverCpu.push((cpu1 - cpu0) / busyMs);
        opts.log(
          `guess max=${p.max} run ${r + 1}/${opts.runs}: ${rate.toFixed(0)} games/s, mean ${s.meanGuesses.toFixed(2)} guesses (bound ${s.bound}), wins ${s.wins}/${s.games}`,
        );
      } finally {
        await server.stop();
      }
    }
    cases.push({
      max: p.max,
      bound,
      games: p.games,
      parallel: p.parallel,
      gamesPerSec: summarize(gps),
      meanGuesses: summarize(means),
      worstGuesses: worst,
      wins,
      played,
      botCpu: summarize(botCpu),
      serverCpu: summarize(serverCpu),
      rawSamples: samples,
    });
  }
  notes.push(
    "Bot CPU includes its start-up; both CPU figures are relative to the time the games took (one core = 100%).",
  );
  return { notes, cases };
}

export const guessSection: Section<GuessResults> = {
  name: "guess",
  title: "tp-guess",
  targets: [],
  render: renderGuess,
  run: (ctx) =>
    runGuessBench({ runs: ctx.runs ?? (ctx.quick ? 1 : 5), quick: ctx.quick, log: ctx.log }),
};
