// A classroom session of the game server: the game server, the optional scoreboard page,
// until SIGINT/SIGTERM; then the teacher's summary on stderr (plain lines, no timestamps:
// it is read, or kept in a file, at the end of the class).
import { LogLevels } from "consola";
import { serveUntilSignal } from "../shared/server/lifecycle.ts";
import { Scoreboard } from "./scoreboard.ts";
import { type GuessServerOptions, startGuessServer } from "./server.ts";
import { type ScoreboardWeb, startScoreboardWeb } from "./web/server.ts";

export interface SessionOptions extends GuessServerOptions {
  /** --web PORT [--web-host HOST]: serve the scoreboard page too. */
  web?: { host: string; port: number };
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function serveSession(opts: SessionOptions): Promise<void> {
  const scoreboard = opts.scoreboard ?? new Scoreboard();
  let web: ScoreboardWeb | undefined;
  try {
    await serveUntilSignal(() => {
      // The page first: a busy web port then fails before any game can start.
      if (opts.web) web = startScoreboardWeb({ ...opts.web, scoreboard, log: opts.log });
      return startGuessServer({ ...opts, scoreboard });
    }, opts.log);
  } finally {
    web?.stop();
  }
  // --quiet: errors only, so no summary either.
  if (opts.log.level >= LogLevels.info) for (const line of scoreboard.summary()) writeStderr(line);
}

/** `--log json`: one JSON object per game, one line each, on stderr. */
export const jsonToStderr = writeStderr;
