// tp-guess: its table in latest.md (the issue names no peer and no speed target). Pure.
import { fmtNumber, fmtPercent, fmtRange, renderTable } from "./table.ts";
import type { GuessResults } from "./types.ts";

export function renderGuess(guess: GuessResults): string {
  if (guess.skipped) return `_Skipped: ${guess.skipped}._`;
  const table = renderTable(
    [
      "Maximum",
      "Games",
      "Parallel bots",
      "games/s median (min–max)",
      "mean guesses",
      "worst",
      "bound floor(log2 N)+1",
      "wins",
      "bot CPU",
      "server CPU",
    ],
    guess.cases.map((c) => [
      c.max,
      String(c.games),
      String(c.parallel),
      fmtRange(c.gamesPerSec, (x) => fmtNumber(x)),
      fmtNumber(c.meanGuesses.median, 2),
      String(c.worstGuesses),
      String(c.bound),
      `${c.wins}/${c.played}`,
      fmtPercent(c.botCpu.median),
      fmtPercent(c.serverCpu.median),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right"],
  );
  const bound = guess.cases
    .filter((c) => c.botCpu.median >= 0.9)
    .map(
      (c) =>
        `- max ${c.max}, ${c.parallel} parallel: the bot used ${fmtPercent(c.botCpu.median)} of a core and the server ${fmtPercent(c.serverCpu.median)}: the bot, not the server, set this games/s.`,
    );
  return [table, ...guess.notes.map((n) => `- ${n}`), ...bound].join("\n");
}
