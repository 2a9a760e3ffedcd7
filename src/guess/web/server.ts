// The web port (tp-guess server --web PORT): the scoreboard page, the same data as JSON for
// programs, a server-sent-event stream that pushes it on every change (events.ts), and the play
// page with its WebSocket (play.ts), whose players sit in the same room as the TCP ones.
// Bounded like the TCP servers (docs/hardening.md):
//   connections  at most maxConnections requests and sockets at once (pages, streams, players);
//                one more gets a 503 page a browser shows. Counted within the descriptor budget
//                (budget.ts) so the game keeps its own.
//   time         an idle keep-alive connection goes after requestTimeoutS (Bun's idleTimeout);
//                a request whose headers never end is cut by Bun itself after 10-12 s (measured,
//                whatever idleTimeout says); event streams are exempt, but one that takes
//                nothing for STALLED_VIEWER_MS is closed.
//   memory       one state in flight per stream (events.ts), --max-pending per player (play.ts).
import type { Server } from "bun";
import type { ConsolaInstance } from "consola";
import { RuntimeError } from "../../shared/errors.ts";
import { formatHostPort } from "../../shared/net.ts";
import { listenError } from "../../shared/server/listen-error.ts";
import type { GameRoom } from "../room.ts";
import type { Scoreboard } from "../scoreboard.ts";
import { EventStreams } from "./events.ts";
import { type JoinInfo, joinInfo } from "./join.ts";
import { scoreboardPage } from "./page.ts";
import { EVENTS_PATH, JSON_PATH, PLAY_PATH, PLAY_SOCKET_PATH } from "./paths.ts";
import { type PlayerData, PlaySockets } from "./play.ts";
import { PLAY_PAGE } from "./play-page.ts";

export { EVENTS_PATH, JSON_PATH, PLAY_PATH, PLAY_SOCKET_PATH };

/**
 * At most one push per this many ms: a bot playing thousands of games a second would
 * otherwise send as many events to every page; a projector needs no more than a few a second.
 */
const PUSH_EVERY_MS = 200;
/** A comment line this often keeps proxies and idle timers from closing the stream. */
const HEARTBEAT_MS = 15_000;
/** Web connections at once by default (--web-max-connections). */
export const DEFAULT_WEB_CONNECTIONS = 1000;
/** Seconds a request may take to arrive, and an idle keep-alive connection may stay. */
export const REQUEST_TIMEOUT_S = 10;

export interface WebOptions {
  host: string;
  port: number;
  scoreboard: Scoreboard;
  log: ConsolaInstance;
  /** The room of the TCP server: serves the play page. Without it, the scoreboard only. */
  room?: GameRoom;
  /** The game's --idle-timeout, for the play page's players (0 = never). */
  idleTimeoutMs?: number;
  /** --max-pending, for the play page's players. */
  maxPendingOutput?: number;
  maxConnections?: number;
  requestTimeoutS?: number;
  /** --public-url: how the students reach this port (behind NAT). */
  publicUrl?: string;
}

export interface ScoreboardWeb {
  readonly port: number;
  readonly url: string;
  /** The game is listening: the page now shows how to join it. */
  announce(tcp: { host: string; port: number }): JoinInfo;
  /** Close every web connection at once and listen again (fd-guard.ts, under attack). */
  shed(reason: string): void;
  stop(): Promise<void>;
}

const HTML = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };

function refusalPage(max: number): Response {
  const body = `<!doctype html><html lang="fr"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Serveur plein</title><body style="font:1.4em system-ui,sans-serif;margin:2em"><h1>Serveur plein</h1><p>Le serveur a déjà ${max} connexions web ouvertes. Réessayez dans un moment.</p></body></html>\n`;
  return new Response(body, { status: 503, headers: { ...HTML, "retry-after": "5" } });
}

/** The web port's listen error, saying it is the web port's. */
function webListenError(error: unknown, host: string, port: number): RuntimeError {
  const e = listenError(error, host, port);
  return new RuntimeError(
    e.message.replace(
      /^cannot listen on (\S+): /,
      "cannot listen on $1 for the web page (--web): ",
    ),
  );
}

/** What the routes read: the page as it is now, the state, the streams, the players. */
interface Routes {
  page: () => string;
  snapshot: () => string;
  streams: EventStreams;
  play: PlaySockets | undefined;
  maxConnections: number;
}

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
};
const EVENT_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
};

/** One request: refused past the cap, else its path's answer (undefined: upgraded). */
function route(r: Routes, req: Request, server: Server<PlayerData>): Response | undefined {
  if (server.pendingRequests - 1 + server.pendingWebSockets >= r.maxConnections)
    return refusalPage(r.maxConnections);
  const path = new URL(req.url).pathname;
  if (path === "/") return new Response(r.page(), { headers: HTML });
  if (path === JSON_PATH) return new Response(r.snapshot(), { headers: JSON_HEADERS });
  if (path === EVENTS_PATH) {
    server.timeout(req, 0); // the stream stays open as long as the page; events.ts bounds it
    return new Response(r.streams.open(), { headers: EVENT_HEADERS });
  }
  if (r.play && path === PLAY_PATH) return new Response(PLAY_PAGE, { headers: HTML });
  if (r.play && path === PLAY_SOCKET_PATH) {
    const ip = server.requestIP(req);
    const host = ip?.address ?? "unknown";
    const data: PlayerData = {
      host,
      address: formatHostPort(host, ip?.port ?? 0),
      seat: undefined,
      lastSeen: 0,
      turn: -1,
      inTurn: 0,
    };
    if (server.upgrade(req, { data })) return undefined;
    return new Response("WebSocket expected\n", { status: 400 });
  }
  return new Response("not found\n", { status: 404 });
}

/** The play page's sockets, when the web port shares the game's room. */
function playSocketsOf(opts: WebOptions): PlaySockets | undefined {
  if (!opts.room) return undefined;
  return new PlaySockets({
    room: opts.room,
    log: opts.log,
    idleTimeoutMs: opts.idleTimeoutMs ?? 0,
    maxPendingOutput: opts.maxPendingOutput ?? 256 * 1024,
  });
}

/** Push the scoreboard to its event streams at most every PUSH_EVERY_MS, and a heartbeat. */
function pushOnChange(scoreboard: WebOptions["scoreboard"], streams: EventStreams) {
  let pending: Timer | undefined;
  const unsubscribe = scoreboard.subscribe(() => {
    if (pending || streams.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      streams.pushAll(performance.now());
    }, PUSH_EVERY_MS);
  });
  const heartbeat = setInterval(() => streams.heartbeat(performance.now()), HEARTBEAT_MS);
  return {
    stop() {
      clearTimeout(pending);
      clearInterval(heartbeat);
      unsubscribe();
    },
  };
}

export function startScoreboardWeb(opts: WebOptions): ScoreboardWeb {
  const maxConnections = opts.maxConnections ?? DEFAULT_WEB_CONNECTIONS;
  const snapshot = (): string => JSON.stringify(opts.scoreboard.view(performance.now()));
  const streams = new EventStreams(snapshot);
  const play = playSocketsOf(opts);
  let page = scoreboardPage(undefined);
  const pushing = pushOnChange(opts.scoreboard, streams);

  const serve = (port: number): Server<PlayerData> =>
    Bun.serve<PlayerData>({
      hostname: opts.host,
      port,
      idleTimeout: opts.requestTimeoutS ?? REQUEST_TIMEOUT_S,
      fetch: (req, srv) =>
        route({ page: () => page, snapshot, streams, play, maxConnections }, req, srv),
      websocket: play?.handler() ?? { message() {} },
    });
  let server: Server<PlayerData>;
  try {
    server = serve(opts.port);
  } catch (error) {
    pushing.stop();
    play?.stopAll();
    throw webListenError(error, opts.host, opts.port);
  }
  const port = server.port as number;
  const url = `http://${formatHostPort(opts.host, port)}/`;
  opts.log.info(`scoreboard on ${url} (JSON at ${JSON_PATH})`);
  return {
    port,
    url,
    announce(tcp) {
      const join = joinInfo({
        tcpHost: tcp.host,
        tcpPort: tcp.port,
        webHost: opts.host,
        webPort: port,
        publicUrl: opts.publicUrl,
      });
      page = scoreboardPage(play ? join : { ...join, playUrl: "" });
      if (play) opts.log.info(`play page on ${join.playUrl}`);
      return join;
    },
    shed(reason) {
      opts.log.warn(`web port: ${reason}: every web connection closed, listening again`);
      streams.closeAll();
      void server.stop(true);
      try {
        server = serve(port);
      } catch (error) {
        opts.log.error(webListenError(error, opts.host, port).message);
      }
    },
    async stop() {
      pushing.stop();
      play?.stopAll();
      streams.closeAll();
      // Let the last lines and close frames out (bounded), then cut whatever is left.
      await Promise.race([server.stop(false), Bun.sleep(500)]);
      await server.stop(true);
    },
  };
}
