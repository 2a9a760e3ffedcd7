// A classroom session of the game server: the game server, the optional scoreboard page,
// until SIGINT/SIGTERM; then the teacher's summary on stderr (plain lines, no timestamps:
// it is read, or kept in a file, at the end of the class; one JSON object under --log json).
import { LogLevels } from "consola";
import { writeJsonLine } from "../shared/log.ts";
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
  if (opts.log.level < LogLevels.info) return;
  if (opts.jsonLog) writeJsonLine("summary", summaryFields(scoreboard));
  else for (const line of scoreboard.summary()) writeStderr(line);
}

/** The summary's figures for `--log json`: what the text lines say. */
function summaryFields(scoreboard: Scoreboard): Record<string, unknown> {
  const players = scoreboard.leaders(Number.MAX_SAFE_INTEGER);
  const { games, wins, lost } = scoreboard;
  return { games, wins, lost, players: players.length, leaders: players.slice(0, 3) };
}

/** `--log json`: one JSON object per game, in the log's order, on stderr. */
export function jsonToStderr(record: string): void {
  writeJsonLine("game", JSON.parse(record));
}
