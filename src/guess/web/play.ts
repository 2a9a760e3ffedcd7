// The play page's transport: one WebSocket per player, one text message per line each way,
// the same French lines as on TCP. The game is the room's (room.ts): the same Game, the same
// seats (--max-clients, --max-per-address count these players too), the same score and log.
// What TCP bounds with its life cycle is bounded here with Bun's WebSocket limits and ours:
//   output   Bun buffers what a page does not read up to backpressureLimit (--max-pending),
//            then closes it (closeOnBackpressureLimit): no backlog past the cap.
//   input    a message past MAX_PAYLOAD_BYTES closes the socket (Bun, code 1009); one past
//            MAX_LINE_BYTES is a `ligne trop longue` error, as on TCP. A page sends one line
//            per move and waits: more than MESSAGES_PER_TURN messages in one read is a flood,
//            closed with 1008 (answering them all kept TCP players waiting).
//   idle     the game's --idle-timeout, by one sweep: a `délai` line, then close.
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { ConsolaInstance } from "consola";
import { MAX_LINE_BYTES, wire } from "../protocol.ts";
import type { GameRoom, Seat } from "../room.ts";

/** Largest message Bun takes at all: a 10 KB name is answered, a 1 MB message is a close. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Messages answered from one read of one socket before it counts as a flood. */
export const MESSAGES_PER_TURN = 64;

export interface PlayerData {
  host: string;
  address: string;
  seat: Seat | undefined;
  lastSeen: number;
  /** The turn of the event loop its messages were last counted in, and how many. */
  turn: number;
  inTurn: number;
}

export type PlayerSocket = ServerWebSocket<PlayerData>;

export interface PlayOptions {
  room: GameRoom;
  log: ConsolaInstance;
  /** The game's --idle-timeout; 0 = never. */
  idleTimeoutMs: number;
  /** --max-pending: bytes Bun may hold for a page that does not read. */
  maxPendingOutput: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class PlaySockets {
  private readonly players = new Set<PlayerSocket>();
  private sweep: Timer | undefined;
  private turn = 0;
  private turnEnding = false;

  constructor(private readonly opts: PlayOptions) {
    const idle = opts.idleTimeoutMs;
    if (idle > 0)
      this.sweep = setInterval(() => this.sweepIdle(), Math.max(50, Math.min(1000, idle / 4)));
  }

  get size(): number {
    return this.players.size;
  }

  /** What Bun.serve's `websocket` option is given. */
  handler(): WebSocketHandler<PlayerData> {
    return {
      maxPayloadLength: MAX_PAYLOAD_BYTES,
      backpressureLimit: this.opts.maxPendingOutput,
      closeOnBackpressureLimit: true,
      // Our sweep says the game's `délai`; Bun's own timeout (and pings) stay off.
      idleTimeout: 0,
      open: (ws) => this.open(ws),
      message: (ws, message) => this.message(ws, message),
      close: (ws) => this.close(ws),
    };
  }

  private open(ws: PlayerSocket): void {
    const now = performance.now();
    const d = ws.data;
    d.lastSeen = now;
    const taken = this.opts.room.take(d.host, d.address, "web", now);
    if (typeof taken === "string") {
      ws.send(taken);
      ws.close(1013, "complet");
      return;
    }
    d.seat = taken;
    this.players.add(ws);
    for (const line of taken.start(now)) ws.send(line);
  }

  private message(ws: PlayerSocket, message: string | Buffer): void {
    const d = ws.data;
    const seat = d.seat;
    if (!seat || seat.outcome) return;
    if (this.flooding(d)) {
      this.opts.log.warn(`${d.address} sent over ${MESSAGES_PER_TURN} messages at once: closed`);
      seat.end("error", performance.now());
      ws.close(1008, "trop de messages");
      return;
    }
    const now = performance.now();
    d.lastSeen = now;
    const bytes = typeof message === "string" ? encoder.encode(message).length : message.length;
    const text = typeof message === "string" ? message : decoder.decode(message);
    const reply =
      bytes > MAX_LINE_BYTES ? seat.tooLong(now) : seat.line(text.replace(/\r?\n$/, ""), now);
    for (const line of reply.lines) ws.send(line);
    if (reply.done) ws.close(1000, "fin de la partie");
    else seat.changed();
  }

  /** Counts the socket's messages in this turn of the event loop; true past the cap. */
  private flooding(d: PlayerData): boolean {
    if (!this.turnEnding) {
      this.turnEnding = true;
      setImmediate(() => {
        this.turn++;
        this.turnEnding = false;
      });
    }
    if (d.turn !== this.turn) {
      d.turn = this.turn;
      d.inTurn = 0;
    }
    return ++d.inTurn > MESSAGES_PER_TURN;
  }

  private close(ws: PlayerSocket): void {
    this.players.delete(ws);
    ws.data.seat?.end("left", performance.now());
  }

  private sweepIdle(): void {
    const now = performance.now();
    const seconds = Number((this.opts.idleTimeoutMs / 1000).toFixed(1));
    for (const ws of this.players) {
      if (now - ws.data.lastSeen < this.opts.idleTimeoutMs) continue;
      if (ws.data.seat?.end("timeout", now)) ws.send(wire.idle(seconds));
      ws.close(1000, "délai");
      this.players.delete(ws);
    }
  }

  /** The server stops: every game ends with the `arrêt` line. */
  stopAll(): void {
    clearInterval(this.sweep);
    const now = performance.now();
    for (const ws of this.players) {
      if (ws.data.seat?.end("shutdown", now)) ws.send(wire.shutdown());
      ws.close(1001, "arrêt");
    }
    this.players.clear();
  }
}
