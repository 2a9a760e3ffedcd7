// The guessing-game server: one independent Game per connection, lines in, lines out.
import type { Socket, TCPSocketListener } from "bun";
import type { ConsolaInstance } from "consola";
import { BoundedWriter } from "../shared/limits.ts";
import { decodeText, encodeText, stripLineEnd } from "../shared/lines.ts";
import { formatHostPort, listenError } from "../shared/net.ts";
import { ResilientLineReader } from "./framing.ts";
import { Game, type Reply } from "./game.ts";
import { MAX_LINE_BYTES, shortNumber, wire } from "./protocol.ts";

export type Outcome = "won" | "left" | "timeout" | "shutdown" | "error";

export interface GuessServerOptions {
  host: string;
  /** 0 lets the kernel pick; read the real one from `port`. */
  port: number;
  /** Close a player silent for this long, with a `délai` line; 0 = never. */
  idleTimeoutMs: number;
  log: ConsolaInstance;
  /** Only tests replace the cryptographic secret. */
  pickSecret?: (max: bigint) => bigint;
}

/** How long a stopping server waits for its goodbyes to flush before it cuts connections. */
const SHUTDOWN_GRACE_MS = 2_000;

interface Player {
  peer: string;
  game: Game;
  reader: ResilientLineReader;
  out: BoundedWriter;
  idle: ReturnType<typeof setTimeout> | undefined;
  outcome: Outcome | undefined;
}

function encodeLines(lines: string[]): Uint8Array {
  return encodeText(lines.map((l) => `${l}\n`).join(""));
}

export class GuessServer {
  readonly port: number;
  readonly host: string;
  private readonly listener: TCPSocketListener<Player>;
  private readonly players = new Set<Socket<Player>>();
  private stopping = false;
  private closedWaiters: Array<() => void> = [];

  constructor(private readonly opts: GuessServerOptions) {
    try {
      this.listener = Bun.listen<Player>({
        hostname: opts.host,
        port: opts.port,
        socket: {
          open: (socket) => this.onOpen(socket),
          data: (socket, chunk) => this.onData(socket, chunk),
          drain: (socket) => socket.data?.out.drain(),
          close: (socket) => this.onClose(socket),
          error: (socket) => this.finish(socket, "error"),
        },
      });
    } catch (error) {
      throw listenError(error, opts.host, opts.port);
    }
    this.port = this.listener.port;
    this.host = opts.host;
  }

  /** Games in progress. */
  get activeGames(): number {
    return this.players.size;
  }

  private onOpen(socket: Socket<Player>): void {
    if (this.stopping) {
      socket.end(encodeLines([wire.shutdown()]));
      return;
    }
    const game = new Game(this.opts.pickSecret);
    const player: Player = {
      peer: formatHostPort(socket.remoteAddress, socket.remotePort),
      game,
      reader: new ResilientLineReader(MAX_LINE_BYTES),
      out: new BoundedWriter(socket as Socket<unknown>),
      idle: undefined,
      outcome: undefined,
    };
    socket.data = player;
    this.players.add(socket);
    socket.setNoDelay(true);
    this.armIdle(socket, player);
    player.out.write(encodeLines(game.start()));
  }

  private armIdle(socket: Socket<Player>, player: Player): void {
    const ms = this.opts.idleTimeoutMs;
    if (ms <= 0) return;
    if (player.idle) {
      player.idle.refresh();
      return;
    }
    player.idle = setTimeout(() => {
      const seconds = Number((ms / 1000).toFixed(1));
      this.finish(socket, "timeout", [wire.idle(seconds)]);
    }, ms);
  }

  private onData(socket: Socket<Player>, chunk: Uint8Array): void {
    const player = socket.data;
    if (!player || player.outcome) return;
    this.armIdle(socket, player);
    for (const event of player.reader.push(chunk)) {
      const reply: Reply =
        "line" in event
          ? player.game.input(decodeText(stripLineEnd(event.line)))
          : player.game.lineTooLong();
      if (reply.done) {
        this.finish(socket, "won", reply.lines);
        return;
      }
      player.out.write(encodeLines(reply.lines));
    }
  }

  /** End a game: say `last`, close once it is sent, log the game once. */
  private finish(socket: Socket<Player>, outcome: Outcome, last: string[] = []): void {
    const player = socket.data;
    if (!player || player.outcome) return;
    player.outcome = outcome;
    if (player.idle) clearTimeout(player.idle);
    this.logGame(player);
    if (outcome === "error") socket.end();
    else player.out.end(last.length > 0 ? encodeLines(last) : undefined);
    // A player who stopped reading (its output backed up) would never let the goodbye out.
    if (outcome === "timeout" && player.out.pending > 0) socket.terminate();
  }

  private onClose(socket: Socket<Player>): void {
    const player = socket.data;
    if (player) {
      if (!player.outcome) {
        player.outcome = "left";
        this.logGame(player);
      }
      if (player.idle) clearTimeout(player.idle);
    }
    this.players.delete(socket);
    if (this.players.size === 0) for (const w of this.closedWaiters.splice(0)) w();
  }

  private logGame(p: Player): void {
    const max = p.game.max === undefined ? "-" : shortNumber(p.game.max);
    const text = `game ${p.peer} max=${max} guesses=${p.game.guesses} errors=${p.game.errors} outcome=${p.outcome}`;
    if (p.outcome === "error") this.opts.log.warn(text);
    else this.opts.log.info(text);
  }

  /** Stop accepting, tell every player the server is stopping, wait for them to go. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.listener.stop(false);
    const sockets = [...this.players];
    for (const socket of sockets) this.finish(socket, "shutdown", [wire.shutdown()]);
    if (this.players.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.closedWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      for (const socket of this.players) socket.terminate();
    }
  }
}
