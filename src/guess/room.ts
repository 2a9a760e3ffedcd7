// The game room both transports seat their players in: the TCP server (server.ts) and the play
// page's WebSocket (web/play.ts). One place counts --max-clients and --max-per-address over
// every player whatever its transport, and one piece of code begins, plays, scores and logs a
// game (the Game state machine itself is game.ts). No sockets here: lines in, lines out.
import type { ConsolaInstance } from "consola";
import { Game, type GameRules, type Reply } from "./game.ts";
import { shortNumber, wire } from "./protocol.ts";
import type { GameRecord, Outcome, PlayerKind, Scoreboard } from "./scoreboard.ts";

/** How a player reached us: a TCP connection (nc, telnet, our play/bot) or the play page. */
export type Transport = "terminal" | "web";

/**
 * An answer this soon after our prompt is a program's: a person reads, thinks and types for
 * 300 ms or more; our bot answers in well under 1 ms on loopback, ~1 RTT across a room.
 */
export const BOT_ANSWER_MS = 40;
/** This many quick answers mark a player as a bot (one quick answer may be a paste). */
export const BOT_QUICK_ANSWERS = 3;

export interface RoomOptions {
  scoreboard: Scoreboard;
  log: ConsolaInstance;
  /** Players at once, both transports together (--max-clients, within the descriptors). */
  maxClients: number;
  /** Players from one address at once, both transports together; 0 = no cap. */
  maxPerAddress?: number;
  /** Only tests replace the cryptographic secret. */
  pickSecret?: (max: bigint) => bigint;
  rules?: GameRules;
  /** Where `--log json` writes one JSON object per game; text log lines when absent. */
  jsonLog?: (line: string) => void;
}

/** One player's game, whatever carries its lines. */
export class Seat {
  readonly game: Game;
  readonly id: number;
  outcome: Outcome | undefined;
  private promptedAt = 0;
  private quickAnswers = 0;

  constructor(
    private readonly room: GameRoom,
    readonly host: string,
    readonly address: string,
    readonly transport: Transport,
    now: number,
  ) {
    this.game = new Game(room.opts.pickSecret, room.opts.rules);
    this.id = room.opts.scoreboard.begin(this, host, now);
  }

  /** web or terminal by transport; bot once it answered like a program. */
  get kind(): PlayerKind {
    return this.quickAnswers >= BOT_QUICK_ANSWERS ? "bot" : this.transport;
  }

  /** The greeting and first question. */
  start(now: number): string[] {
    this.promptedAt = now;
    return this.game.start();
  }

  /** One line from the player (line end removed); a finished game is scored and logged. */
  line(text: string, now: number): Reply {
    if (this.promptedAt > 0 && now - this.promptedAt < BOT_ANSWER_MS) this.quickAnswers++;
    return this.answered(this.game.input(text), now);
  }

  /** The player sent a line longer than the game takes: it was dropped unread. */
  tooLong(now: number): Reply {
    return this.answered(this.game.lineTooLong(), now);
  }

  private answered(reply: Reply, now: number): Reply {
    this.promptedAt = now;
    if (reply.done) this.end(this.game.phase === "lost" ? "lost" : "won", now);
    return reply;
  }

  /** Tell the scoreboard's watchers the game moved (once per batch of lines). */
  changed(): void {
    this.room.opts.scoreboard.changed();
  }

  /** End the game once: free the seat, score it, log it. False if it had ended already. */
  end(outcome: Outcome, now: number): boolean {
    if (this.outcome) return false;
    this.outcome = outcome;
    this.room.release(this);
    const record = this.room.opts.scoreboard.end(this.id, this.address, outcome, now);
    if (record) this.room.logGame(record, this.game);
    return true;
  }
}

export class GameRoom {
  private seated = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(readonly opts: RoomOptions) {}

  /** Players seated now, both transports. */
  get players(): number {
    return this.seated;
  }

  /** A seat for a new player, or the one `complet` line to send it before closing. */
  take(host: string, address: string, transport: Transport, now: number): Seat | string {
    const refusal = this.refusalFor(host, address);
    if (refusal) return refusal;
    this.seated++;
    this.perAddress.set(host, (this.perAddress.get(host) ?? 0) + 1);
    return new Seat(this, host, address, transport, now);
  }

  private refusalFor(host: string, address: string): string | undefined {
    const { maxClients, maxPerAddress = 0 } = this.opts;
    if (this.seated >= maxClients) {
      this.opts.log.warn(`${address} refused: ${maxClients} players already connected`);
      return wire.full(maxClients);
    }
    if (maxPerAddress > 0 && (this.perAddress.get(host) ?? 0) >= maxPerAddress) {
      this.opts.log.warn(`${address} refused: ${maxPerAddress} players already from ${host}`);
      return wire.full(maxClients);
    }
    return undefined;
  }

  /** Called once per seat, by Seat.end. */
  release(seat: Seat): void {
    this.seated--;
    const left = (this.perAddress.get(seat.host) ?? 1) - 1;
    if (left > 0) this.perAddress.set(seat.host, left);
    else this.perAddress.delete(seat.host);
  }

  /** The one log line (text, or one JSON object) of a finished game. */
  logGame(r: GameRecord, game: Game): void {
    if (this.opts.jsonLog) {
      this.opts.jsonLog(JSON.stringify(r));
      return;
    }
    // JSON quoting: a name is user input, and must not forge a log line.
    const name = game.name === undefined ? "" : ` name=${JSON.stringify(game.name)}`;
    const max = game.max === undefined ? "-" : shortNumber(game.max);
    const text = `game ${r.address}${name} max=${max} guesses=${r.guesses} errors=${r.errors} outcome=${r.outcome} via=${r.via}`;
    if (r.outcome === "error") this.opts.log.warn(text);
    else this.opts.log.info(text);
  }
}
