// The guessing-game server: one independent Game per connection, lines in, lines out, as a
// per-connection handler for the shared server life cycle (src/shared/server/lifecycle.ts),
// which owns listening, the client registry, the limits, the idle sweep and the graceful stop.
import { decodeText, encodeText, stripLineEnd } from "../shared/lines.ts";
import {
  type Client,
  type ConnectionHandler,
  leave,
  type ServerOptions,
  TcpServer,
} from "../shared/server/lifecycle.ts";
import { ResilientLineReader } from "./framing.ts";
import type { GameRules, Reply } from "./game.ts";
import { MAX_LINE_BYTES, wire } from "./protocol.ts";
import { GameRoom, type Seat } from "./room.ts";
import { type Outcome, Scoreboard } from "./scoreboard.ts";

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
  /** The room shared with the play page (its players count in --max-clients); one is made if absent. */
  room?: GameRoom;
}

interface Player {
  /** Undefined for a player refused by the room (full with web players): told, then closed. */
  seat: Seat | undefined;
  refusal: string | undefined;
  reader: ResilientLineReader;
}

type PlayerClient = Client<Player>;

function encodeLines(lines: string[]): Uint8Array {
  return encodeText(lines.map((l) => `${l}\n`).join(""));
}

/** End a game: say `last`, close once it is sent. */
function finish(client: PlayerClient, outcome: Outcome, last: string[]) {
  if (client.session.seat?.end(outcome, performance.now()))
    leave(client, last.length > 0 ? encodeLines(last) : undefined);
}

/**
 * The hot path: each complete line is a move of the game. One line at a time, stopping after
 * the one whose reply backs the output up past the cap (checking per read let 200 clients
 * that never read their `erreur` replies take 1.6-3.2 GB). Returns the bytes consumed.
 */
function play(client: PlayerClient, chunk: Uint8Array): number {
  const seat = client.session.seat;
  if (!seat) return chunk.length;
  const reader = client.session.reader;
  let at = 0;
  // A turn answers LINES_PER_TURN lines at most: a game's reply costs ~1 us of string work, and
  // 200 players pipelining 2-byte lines kept a normal player waiting 8 s for its prompt.
  for (let n = 0; n < LINES_PER_TURN && at < chunk.length && !client.writer.backedUp; n++) {
    const nl = chunk.indexOf(0x0a, at);
    const end = nl < 0 ? chunk.length : nl + 1;
    for (const event of reader.push(chunk.subarray(at, end))) {
      const now = performance.now();
      const reply: Reply =
        "line" in event ? seat.line(decodeText(stripLineEnd(event.line)), now) : seat.tooLong(now);
      if (reply.done) {
        // The seat scored and logged it: say the last words and close.
        leave(client, encodeLines(reply.lines));
        return chunk.length;
      }
      client.writer.write(encodeLines(reply.lines));
    }
    at = end;
  }
  seat.changed();
  return at;
}

const LINES_PER_TURN = 64;

const SHUTDOWN = encodeLines([wire.shutdown()]);

class GuessHandler implements ConnectionHandler<Player> {
  readonly noun = "game";

  constructor(
    private readonly room: GameRoom,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Games in progress on both transports: the play page's players are in the same room. */
  inProgress(): number {
    return this.room.players;
  }

  goodbye(): Uint8Array {
    return SHUTDOWN;
  }

  refusal(maxClients: number): Uint8Array {
    return encodeLines([wire.full(maxClients)]);
  }

  init(client: PlayerClient): Player {
    const reader = new ResilientLineReader(MAX_LINE_BYTES);
    const taken = this.room.take(client.host, client.address, "terminal", performance.now());
    return typeof taken === "string"
      ? { seat: undefined, refusal: taken, reader }
      : { seat: taken, refusal: undefined, reader };
  }

  open(client: PlayerClient): void {
    client.socket.setNoDelay(true);
    const { seat, refusal } = client.session;
    if (seat) client.writer.write(encodeLines(seat.start(performance.now())));
    else leave(client, encodeLines([refusal ?? wire.full(this.room.opts.maxClients)]));
  }

  data(client: PlayerClient, chunk: Uint8Array): number {
    return play(client, chunk);
  }

  idle(client: PlayerClient): void {
    const seconds = Number((this.idleTimeoutMs / 1000).toFixed(1));
    finish(client, "timeout", [wire.idle(seconds)]);
  }

  stopping(client: PlayerClient): void {
    client.session.seat?.end("shutdown", performance.now());
  }

  error(client: PlayerClient): void {
    finish(client, "error", []);
  }

  close(client: PlayerClient): void {
    client.session.seat?.end("left", performance.now());
  }
}

export type GuessServer = TcpServer<Player>;

/** Listen and serve the game; throws a one-line RuntimeError if it cannot listen. */
export function startGuessServer(opts: GuessServerOptions): GuessServer {
  const room =
    opts.room ?? new GameRoom({ ...opts, scoreboard: opts.scoreboard ?? new Scoreboard() });
  return new TcpServer(new GuessHandler(room, opts.idleTimeoutMs), opts);
}
