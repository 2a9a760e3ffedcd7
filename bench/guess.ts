// Guess benchmark: games/s with parallel bots against our server, and the bot's guesses against
// the bound floor(log2 N) + 1.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GuessResults } from "./lib/types.ts";
import { ROOT } from "./proc.ts";

export interface GuessOptions {
  runs: number;
  quick: boolean;
  log: (line: string) => void;
}

export async function runGuessBench(_opts: GuessOptions): Promise<GuessResults> {
  if (!existsSync(join(ROOT, "tp-guess")))
    return { skipped: "./tp-guess is not built yet (run `bun run build`)", notes: [], cases: [] };
  return { skipped: "tp-guess support not wired yet", notes: [], cases: [] };
}
