// The game server and its web port started together for a classroom session: one room for
// both transports, the descriptors split between them, the page told how to join once the
// game listens. (session.ts runs it until a signal, then prints the summary.)
import { FD_RESERVE, openFileLimit } from "../../shared/server/fd-limit.ts";
import { GameRoom } from "../room.ts";
import type { Scoreboard } from "../scoreboard.ts";
import { type GuessServer, type GuessServerOptions, startGuessServer } from "../server.ts";
import { guardDescriptors } from "./fd-guard.ts";
import { checkDistinctPorts } from "./join.ts";
import { DEFAULT_WEB_CONNECTIONS, type ScoreboardWeb, startScoreboardWeb } from "./server.ts";

/** --web PORT [--web-host HOST] [--public-url URL] [--web-max-connections N]. */
export interface WebFlags {
  host: string;
  port: number;
  publicUrl?: string;
  maxConnections?: number;
}

export interface Budget {
  players: number;
  web: number;
}

/**
 * Players (both transports) and web connections within the open-file limit, less the reserve.
 * Short of descriptors, the web side gets a quarter (16 at least) and the players the rest:
 * a page that cannot load is refused with a 503, a player past the cap with `complet`.
 */
export function splitDescriptors(want: Budget, limit: number | undefined): Budget {
  if (limit === undefined) return want;
  const available = Math.max(2, limit - FD_RESERVE);
  if (want.players + want.web <= available) return want;
  const web = Math.min(want.web, Math.max(16, Math.floor(available / 4)));
  return { players: Math.max(1, Math.min(want.players, available - web)), web };
}

export interface Classroom {
  server: GuessServer;
  web: ScoreboardWeb | undefined;
}

export function startClassroom(
  opts: GuessServerOptions & { scoreboard: Scoreboard; web?: WebFlags },
): Classroom {
  if (!opts.web) return { server: startGuessServer(opts), web: undefined };
  checkDistinctPorts({ ...opts, webHost: opts.web.host, webPort: opts.web.port });
  const limit = openFileLimit();
  const want = {
    players: opts.maxClients,
    web: opts.web.maxConnections ?? DEFAULT_WEB_CONNECTIONS,
  };
  const budget = splitDescriptors(want, limit);
  if (budget.web < want.web || budget.players < want.players)
    opts.log.warn(
      `the open-file limit is ${limit}: at most ${budget.players} players and ${budget.web} web connections (raise it with ulimit -n)`,
    );
  const room = new GameRoom({ ...opts, maxClients: budget.players });
  // The page first: a busy web port then fails before any game can start.
  const web = startScoreboardWeb({
    ...opts.web,
    maxConnections: budget.web,
    scoreboard: opts.scoreboard,
    log: opts.log,
    room,
    idleTimeoutMs: opts.idleTimeoutMs,
    maxPendingOutput: opts.maxPendingOutput,
  });
  let server: GuessServer;
  try {
    server = startGuessServer({ ...opts, maxClients: budget.players, room });
  } catch (error) {
    void web.stop();
    throw error;
  }
  web.announce({ host: opts.host, port: server.port });
  if (limit !== undefined) {
    const game = server;
    guardDescriptors({
      limit,
      webShare: budget.web,
      gameConnections: () => game.clientCount,
      shed: () => web.shed("out of descriptors (half-sent requests?)"),
    });
  }
  return { server, web };
}
