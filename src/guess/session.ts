// A classroom session of the game server: the game server, the optional web port (scoreboard
// and play page), until SIGINT/SIGTERM; then the teacher's summary on stderr (plain lines, no
// timestamps: it is read, or kept in a file, at the end of the class).
import { LogLevels } from "consola";
import { serveUntilSignal } from "../shared/server/lifecycle.ts";
import { Scoreboard } from "./scoreboard.ts";
import type { GuessServerOptions } from "./server.ts";
import { type Classroom, startClassroom, type WebFlags } from "./web/classroom.ts";

export interface SessionOptions extends GuessServerOptions {
  /** --web PORT [--web-host HOST]: serve the scoreboard and play pages too. */
  web?: WebFlags;
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function serveSession(opts: SessionOptions): Promise<void> {
  const scoreboard = opts.scoreboard ?? new Scoreboard();
  let classroom: Classroom | undefined;
  try {
    await serveUntilSignal(() => {
      classroom = startClassroom({ ...opts, scoreboard });
      return classroom.server;
    }, opts.log);
  } finally {
    await classroom?.web?.stop();
  }
  // --quiet: errors only, so no summary either.
  if (opts.log.level >= LogLevels.info) for (const line of scoreboard.summary()) writeStderr(line);
}

/** `--log json`: one JSON object per game, one line each, on stderr. */
export const jsonToStderr = writeStderr;
