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
import { Game, type Reply } from "./game.ts";
import { MAX_LINE_BYTES, shortNumber, wire } from "./protocol.ts";

/** A player silent this long loses the game with a `délai` line (--idle-timeout). */
export const GAME_IDLE_TIMEOUT_MS = 60_000;

export type Outcome = "won" | "left" | "timeout" | "shutdown" | "error";

export interface GuessServerOptions extends ServerOptions {
  /** Only tests replace the cryptographic secret. */
  pickSecret?: (max: bigint) => bigint;
}

interface Player {
  game: Game;
  reader: ResilientLineReader;
  /** Set once, when the game ends; logged then. */
  outcome: Outcome | undefined;
}

type PlayerClient = Client<Player>;

function encodeLines(lines: string[]): Uint8Array {
  return encodeText(lines.map((l) => `${l}\n`).join(""));
}

/** The one log line of a game, written when it ends. */
function endGame(log: ConsolaInstance, client: PlayerClient, outcome: Outcome): boolean {
  const p = client.session;
  if (p.outcome) return false;
  p.outcome = outcome;
  const max = p.game.max === undefined ? "-" : shortNumber(p.game.max);
  const text = `game ${client.address} max=${max} guesses=${p.game.guesses} errors=${p.game.errors} outcome=${outcome}`;
  if (outcome === "error") log.warn(text);
  else log.info(text);
  return true;
}

/** End a game: log it, say `last`, close once it is sent. */
function finish(log: ConsolaInstance, client: PlayerClient, outcome: Outcome, last: string[]) {
  if (endGame(log, client, outcome)) leave(client, last.length > 0 ? encodeLines(last) : undefined);
}

/** The hot path: each complete line is a move of the game. */
function play(log: ConsolaInstance, client: PlayerClient, chunk: Uint8Array): void {
  const player = client.session;
  for (const event of player.reader.push(chunk)) {
    const reply: Reply =
      "line" in event
        ? player.game.input(decodeText(stripLineEnd(event.line)))
        : player.game.lineTooLong();
    if (reply.done) {
      finish(log, client, "won", reply.lines);
      return;
    }
    client.writer.write(encodeLines(reply.lines));
  }
}

const SHUTDOWN = encodeLines([wire.shutdown()]);

class GuessHandler implements ConnectionHandler<Player> {
  readonly noun = "game";

  constructor(private readonly opts: GuessServerOptions) {}

  goodbye(): Uint8Array {
    return SHUTDOWN;
  }

  refusal(maxClients: number): Uint8Array {
    return encodeLines([wire.full(maxClients)]);
  }

  init(): Player {
    const game = new Game(this.opts.pickSecret);
    return { game, reader: new ResilientLineReader(MAX_LINE_BYTES), outcome: undefined };
  }

  open(client: PlayerClient): void {
    client.socket.setNoDelay(true);
    client.writer.write(encodeLines(client.session.game.start()));
  }

  data(client: PlayerClient, chunk: Uint8Array): void {
    play(this.opts.log, client, chunk);
  }

  idle(client: PlayerClient): void {
    const seconds = Number((this.opts.idleTimeoutMs / 1000).toFixed(1));
    finish(this.opts.log, client, "timeout", [wire.idle(seconds)]);
  }

  stopping(client: PlayerClient): void {
    endGame(this.opts.log, client, "shutdown");
  }

  error(client: PlayerClient): void {
    finish(this.opts.log, client, "error", []);
  }

  close(client: PlayerClient): void {
    endGame(this.opts.log, client, "left");
  }
}

export type GuessServer = TcpServer<Player>;

/** Listen and serve the game; throws a one-line RuntimeError if it cannot listen. */
export function startGuessServer(opts: GuessServerOptions): GuessServer {
  return new TcpServer(new GuessHandler(opts), opts);
}
