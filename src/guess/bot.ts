// The bot: whole games (bot-game.ts), one with its dialogue or many in parallel with a summary.
import { RuntimeError, UsageError } from "../shared/errors.ts";
import { plural } from "../shared/plural.ts";
import { BotGame, type BotOptions, type Dialogue, type GameResult } from "./bot-game.ts";
import { guessBound } from "./bot-session.ts";
import { MAX_LIMIT, MAX_LIMIT_TEXT } from "./protocol.ts";

/** Play one game on a new connection. Never throws: failures come back in `error`. */
export function playGame(opts: BotOptions, dialogue?: Dialogue): Promise<GameResult> {
  return new BotGame(opts, dialogue).play();
}

export interface Summary {
  games: number;
  wins: number;
  failures: number;
  meanGuesses: number;
  worstGuesses: number;
  bound: number;
  seconds: number;
  gamesPerSecond: number;
  firstError?: string;
}

/** Play `games` games, `parallel` at a time, each on its own connection. */
export async function playMany(
  opts: BotOptions,
  games: number,
  parallel: number,
): Promise<Summary> {
  const started = performance.now();
  let next = 0;
  let wins = 0;
  let total = 0;
  let worst = 0;
  let firstError: string | undefined;
  let max = opts.max;
  const worker = async (): Promise<void> => {
    while (next < games) {
      next++;
      const r = await playGame(opts);
      max ??= r.max;
      if (r.won) {
        wins++;
        total += r.guesses;
        worst = Math.max(worst, r.guesses);
      } else firstError ??= r.error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, games) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    games,
    wins,
    failures: games - wins,
    meanGuesses: wins > 0 ? total / wins : 0,
    worstGuesses: worst,
    bound: max === undefined ? 0 : guessBound(max),
    seconds,
    gamesPerSecond: games / seconds,
    firstError,
  };
}

export function formatSummary(s: Summary): string[] {
  return [
    `games ${s.games}, wins ${s.wins}, failures ${s.failures}`,
    `guesses: mean ${s.meanGuesses.toFixed(2)}, worst ${s.worstGuesses}, bound ${s.bound} (floor(log2 max)+1)`,
    `time ${s.seconds.toFixed(2)} s, ${s.gamesPerSecond.toFixed(1)} games/s`,
  ];
}

/** The `bot` command: one game shows its dialogue, several print a summary. */
export async function runBot(opts: BotOptions, games: number, parallel: number): Promise<void> {
  if (games === 1) {
    const r = await playGame(opts, (dir, text) => process.stdout.write(`${dir} ${text}\n`));
    if (!r.won) throw new RuntimeError(r.error ?? "game lost");
    const how = r.closedAsEnd ? " (the server closed the connection: taken as found)" : "";
    const bound = r.max === undefined ? "" : ` (bound ${guessBound(r.max)})`;
    process.stdout.write(`won in ${plural(r.guesses, "guess", "guesses")}${bound}${how}\n`);
    return;
  }
  const s = await playMany(opts, games, parallel);
  process.stdout.write(`${formatSummary(s).join("\n")}\n`);
  if (s.failures > 0)
    throw new RuntimeError(
      `${s.failures} of ${plural(s.games, "game")} failed; first: ${s.firstError}`,
    );
}

/** --max: digits, or a power written 10^100 or 1e100; 1..10^1000 like our server accepts. */
export function parseMaxFlag(text: string | undefined, flag = "--max"): bigint {
  const t = (text ?? "").trim();
  let value: bigint | undefined;
  const power = /^(\d{1,20})\^(\d{1,5})$/.exec(t);
  const scientific = /^(\d{1,20})[eE](\d{1,5})$/.exec(t);
  const tooBig = MAX_LIMIT + 1n;
  if (/^\d{1,1100}$/.test(t)) value = BigInt(t);
  else if (power) {
    const base = BigInt(power[1] as string);
    const exp = Number(power[2]);
    // Refuse before computing a huge power: base^exp has about exp*log10(base) digits.
    value = base > 1n && exp * Math.log10(Number(base)) > 1001 ? tooBig : base ** BigInt(exp);
  } else if (scientific) {
    const exp = Number(scientific[2]);
    value = exp > 1001 ? tooBig : BigInt(scientific[1] as string) * 10n ** BigInt(exp);
  }
  if (value === undefined) {
    throw new UsageError(
      `${flag} expects a whole number such as 1000000 or 10^100, got '${text ?? ""}'`,
    );
  }
  if (value < 1n || value > MAX_LIMIT) {
    throw new UsageError(`${flag} must be between 1 and ${MAX_LIMIT_TEXT}`);
  }
  return value;
}
