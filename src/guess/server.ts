// The guessing-game server: one independent Game per connection, lines in, lines out, as a
// per-connection handler for the shared server life cycle (src/shared/server/lifecycle.ts),
// which owns listening, the client registry, the limits, the idle sweep and the graceful stop.
import type { ConsolaInstance } from "consola";
import { decodeText, encodeText, stripLineEnd } from "../shared/lines.ts";
import {
  type Client,
  type ConnectionHandler,
  leave,
  type ServerOptions,
  TcpServer,
} from "../shared/server/lifecycle.ts";
import { ResilientLineReader } from "./framing.ts";
import { Game, type GameRules, type Reply } from "./game.ts";
import { MAX_LINE_BYTES, shortNumber, wire } from "./protocol.ts";
import { type GameRecord, type Outcome, Scoreboard } from "./scoreboard.ts";

export type { Outcome } from "./scoreboard.ts";

/** A player silent this long loses the game with a `délai` line (--idle-timeout). */
export const GAME_IDLE_TIMEOUT_MS = 60_000;

export interface GuessServerOptions extends ServerOptions {
  /** Only tests replace the cryptographic secret. */
  pickSecret?: (max: bigint) => bigint;
  /** The teacher's rules (--max, --max-guesses). */
  rules?: GameRules;
  /** Games in progress and finished, for the web page and the summary; one is made if absent. */
  scoreboard?: Scoreboard;
  /** Where `--log json` writes one JSON object per game; text log lines when absent. */
  jsonLog?: (line: string) => void;
}

interface Player {
  game: Game;
  reader: ResilientLineReader;
  /** Its id on the scoreboard. */
  id: number;
  /** Set once, when the game ends; logged then. */
  outcome: Outcome | undefined;
}

type PlayerClient = Client<Player>;

function encodeLines(lines: string[]): Uint8Array {
  return encodeText(lines.map((l) => `${l}\n`).join(""));
}

/** The one text log line of a game. */
function logText(log: ConsolaInstance, r: GameRecord, game: Game): void {
  // JSON quoting: a name is user input, and must not forge a log line.
  const name = game.name === undefined ? "" : ` name=${JSON.stringify(game.name)}`;
  const max = game.max === undefined ? "-" : shortNumber(game.max);
  const text = `game ${r.address}${name} max=${max} guesses=${r.guesses} errors=${r.errors} outcome=${r.outcome}`;
  if (r.outcome === "error") log.warn(text);
  else log.info(text);
}

/** What the handler needs to end games: the options, and the scoreboard it keeps. */
interface Context {
  opts: GuessServerOptions;
  scoreboard: Scoreboard;
}

/** End a game once: score it and log it (text, or one JSON object). */
function endGame(ctx: Context, client: PlayerClient, outcome: Outcome): boolean {
  const p = client.session;
  if (p.outcome) return false;
  p.outcome = outcome;
  const record = ctx.scoreboard.end(p.id, client.address, outcome, performance.now());
  if (!record) return true;
  if (ctx.opts.jsonLog) ctx.opts.jsonLog(JSON.stringify(record));
  else logText(ctx.opts.log, record, p.game);
  return true;
}

/** End a game: log it, say `last`, close once it is sent. */
function finish(ctx: Context, client: PlayerClient, outcome: Outcome, last: string[]) {
  if (endGame(ctx, client, outcome)) leave(client, last.length > 0 ? encodeLines(last) : undefined);
}

/**
 * The hot path: each complete line is a move of the game. One line at a time, stopping after
 * the one whose reply backs the output up past the cap (checking per read let 200 clients
 * that never read their `erreur` replies take 1.6-3.2 GB). Returns the bytes consumed.
 */
function play(ctx: Context, client: PlayerClient, chunk: Uint8Array): number {
  const player = client.session;
  let at = 0;
  // A turn answers LINES_PER_TURN lines at most: a game's reply costs ~1 us of string work, and
  // 200 players pipelining 2-byte lines kept a normal player waiting 8 s for its prompt.
  for (let n = 0; n < LINES_PER_TURN && at < chunk.length && !client.writer.backedUp; n++) {
    const nl = chunk.indexOf(0x0a, at);
    const end = nl < 0 ? chunk.length : nl + 1;
    for (const event of player.reader.push(chunk.subarray(at, end))) {
      const reply: Reply =
        "line" in event
          ? player.game.input(decodeText(stripLineEnd(event.line)))
          : player.game.lineTooLong();
      if (reply.done) {
        finish(ctx, client, player.game.phase === "lost" ? "lost" : "won", reply.lines);
        return chunk.length;
      }
      client.writer.write(encodeLines(reply.lines));
    }
    at = end;
  }
  ctx.scoreboard.changed();
  return at;
}

const LINES_PER_TURN = 64;

const SHUTDOWN = encodeLines([wire.shutdown()]);

class GuessHandler implements ConnectionHandler<Player> {
  readonly noun = "game";
  private readonly ctx: Context;

  constructor(private readonly opts: GuessServerOptions) {
    this.ctx = { opts, scoreboard: opts.scoreboard ?? new Scoreboard() };
  }

  goodbye(): Uint8Array {
    return SHUTDOWN;
  }

  refusal(maxClients: number): Uint8Array {
    return encodeLines([wire.full(maxClients)]);
  }

  init(client: PlayerClient): Player {
    const game = new Game(this.opts.pickSecret, this.opts.rules);
    const id = this.ctx.scoreboard.begin(game, client.socket.remoteAddress, performance.now());
    return { game, reader: new ResilientLineReader(MAX_LINE_BYTES), id, outcome: undefined };
  }

  open(client: PlayerClient): void {
    client.socket.setNoDelay(true);
    client.writer.write(encodeLines(client.session.game.start()));
  }

  data(client: PlayerClient, chunk: Uint8Array): number {
    return play(this.ctx, client, chunk);
  }

  idle(client: PlayerClient): void {
    const seconds = Number((this.opts.idleTimeoutMs / 1000).toFixed(1));
    finish(this.ctx, client, "timeout", [wire.idle(seconds)]);
  }

  stopping(client: PlayerClient): void {
    endGame(this.ctx, client, "shutdown");
  }

  error(client: PlayerClient): void {
    finish(this.ctx, client, "error", []);
  }

  close(client: PlayerClient): void {
    endGame(this.ctx, client, "left");
  }
}

export type GuessServer = TcpServer<Player>;

/** Listen and serve the game; throws a one-line RuntimeError if it cannot listen. */
export function startGuessServer(opts: GuessServerOptions): GuessServer {
  return new TcpServer(new GuessHandler(opts), opts);
}
