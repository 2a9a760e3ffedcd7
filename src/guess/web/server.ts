// The scoreboard over HTTP (tp-guess server --web PORT): the page, the same data as JSON for
// programs, and a server-sent-event stream that pushes it on every change. Apart from the
// game: it only reads the Scoreboard, which the game server feeds.
import type { Server } from "bun";
import type { ConsolaInstance } from "consola";
import { formatHostPort } from "../../shared/net.ts";
import { listenError } from "../../shared/server/listen-error.ts";
import type { Scoreboard } from "../scoreboard.ts";
import { SCOREBOARD_PAGE } from "./page.ts";

import { EVENTS_PATH, JSON_PATH } from "./paths.ts";

export { EVENTS_PATH, JSON_PATH };

/**
 * At most one push per this many ms: a bot playing thousands of games a second would
 * otherwise send as many events to every page; a projector needs no more than a few a second.
 */
const PUSH_EVERY_MS = 200;
/** A comment line this often keeps proxies and idle timers from closing the stream. */
const HEARTBEAT_MS = 15_000;

export interface WebOptions {
  host: string;
  port: number;
  scoreboard: Scoreboard;
  log: ConsolaInstance;
}

export interface ScoreboardWeb {
  readonly port: number;
  readonly url: string;
  stop(): void;
}

const encoder = new TextEncoder();

export function startScoreboardWeb(opts: WebOptions): ScoreboardWeb {
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const snapshot = (): string => JSON.stringify(opts.scoreboard.view(performance.now()));
  const send = (c: ReadableStreamDefaultController<Uint8Array>, chunk: string): void => {
    try {
      c.enqueue(encoder.encode(chunk));
    } catch {
      streams.delete(c); // the page went away
    }
  };
  const pushAll = (): void => {
    const event = `data: ${snapshot()}\n\n`;
    for (const c of streams) send(c, event);
  };

  let pending: Timer | undefined;
  const unsubscribe = opts.scoreboard.subscribe(() => {
    if (pending || streams.size === 0) return;
    pending = setTimeout(() => {
      pending = undefined;
      pushAll();
    }, PUSH_EVERY_MS);
  });
  const heartbeat = setInterval(() => {
    for (const c of streams) send(c, ": ping\n\n");
  }, HEARTBEAT_MS);

  const events = (): Response => {
    let self: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        self = controller;
        streams.add(controller);
        send(controller, `retry: 1000\ndata: ${snapshot()}\n\n`);
      },
      cancel() {
        if (self) streams.delete(self);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  };

  let server: Server<undefined>;
  try {
    server = Bun.serve({
      hostname: opts.host,
      port: opts.port,
      // The event stream stays open for as long as the page does.
      idleTimeout: 0,
      routes: {
        "/": () =>
          new Response(SCOREBOARD_PAGE, {
            headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
          }),
        [JSON_PATH]: () =>
          new Response(snapshot(), {
            headers: {
              "content-type": "application/json; charset=utf-8",
              "cache-control": "no-store",
            },
          }),
        [EVENTS_PATH]: events,
      },
      fetch: () => new Response("not found\n", { status: 404 }),
    });
  } catch (error) {
    clearInterval(heartbeat);
    unsubscribe();
    throw listenError(error, opts.host, opts.port);
  }
  const port = server.port as number;
  const url = `http://${formatHostPort(opts.host, port)}/`;
  opts.log.info(`scoreboard on ${url} (JSON at ${JSON_PATH})`);
  return {
    port,
    url,
    stop() {
      clearTimeout(pending);
      clearInterval(heartbeat);
      unsubscribe();
      for (const c of streams) {
        try {
          c.close();
        } catch {}
      }
      streams.clear();
      server.stop(true);
    },
  };
}
