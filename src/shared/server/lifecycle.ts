// The server life cycle shared by tp-echo and tp-guess. It ties Bun's TCP transport to a
// per-connection handler (src/echo/server.ts, src/guess/server.ts) and owns everything the
// two servers have in common, so that each server says only what it says on the wire.
//
//   listen   Bun.listen on host:port (0 = any free port); a busy port or a host that is not
//            ours is one line (listenError). Logs "listening on HOST:PORT".
//   admit    a connection arriving while the server stops gets handler.goodbye() and is
//            closed; one past maxClients gets handler.refusal() and is closed (and logged);
//            any other joins the client registry: handler.init() makes its session, then
//            handler.open() greets it.
//   serve    bytes go to handler.data() and stamp client.lastSeen. handler.data() answers line
//            by line and stops after the line whose answer backs the client's output up past
//            maxPendingOutput; what it did not consume is set aside (client.unread, a read
//            at most) and the socket stops being read (socket.pause(): the kernel's buffers
//            then hold the client back, not our memory). Half drained, the set-aside input is
//            answered first, then reading resumes. A client stops being read once leave() has
//            queued its last words (client.leaving); its socket closes when they are out, or
//            is cut after CLOSING_TIMEOUT_MS. A closed client's unread input is dropped with
//            it. A closed client leaves the registry, then handler.close() runs.
//   deadline a line begun (bytes received, no line end yet) must end within lineTimeoutMs:
//            a client trickling a byte at a time cannot hold a slot forever.
//   idle     ONE sweep timer for all clients, every idleTimeoutMs/4 (50 ms..1 s), so a silent
//            client goes between idleTimeoutMs and that plus a sweep; a message only stamps
//            lastSeen (a timer per client would be re-armed on every message instead).
//            handler.idle() is called for each client silent for idleTimeoutMs, and says its
//            notice with leave() (or spares the client, e.g. one queued behind another). A
//            client that left with output still queued does not read: it is cut at once.
//   stop     stop() (serveUntilSignal calls it on SIGINT/SIGTERM/SIGHUP): stop accepting, give every
//            client handler.goodbye() (handler.stopping() first, e.g. to log), then wait until
//            the registry is empty (a waiter woken by the last close, no polling) or the
//            grace period (SHUTDOWN_GRACE_MS, 2 s) has passed, cut whoever is left, close the
//            listener, log "stopped"; hurry() (a second signal) cuts them at once. Nothing here
//            calls process.exit: the program ends when the command's run() returns.
import type { Socket, TCPSocketListener } from "bun";
import { BoundedWriter, CLOSING_TIMEOUT_MS, SHUTDOWN_GRACE_MS } from "../limits.ts";
import { formatHostPort } from "../net.ts";
import { plural } from "../plural.ts";
import { leave, onClose, onData, onDrain, onEnd, onError } from "./client-events.ts";
import { clientsWithinLimit, openFileLimit } from "./fd-limit.ts";
import { listenError } from "./listen-error.ts";
import { capReceiveBuffer } from "./receive-buffer.ts";

import type { Client, ClientServer, ConnectionHandler, ServerOptions } from "./types.ts";

// The life cycle's one door for the servers: what they need from it, from one module.
export { leave } from "./client-events.ts";
export { serveUntilSignal } from "./signals.ts";
export type { Client, ConnectionHandler, ServerOptions } from "./types.ts";

/** Input answered per client per turn of the event loop (fairness under pipelined floods). */
const TURN_BYTES = 16 * 1024;

/** A listening server: the life cycle described at the top of this file. */
export class TcpServer<S> implements ClientServer<S> {
  readonly host: string;
  readonly port: number;
  private readonly listener: TCPSocketListener<Client<S>>;
  private readonly clients = new Set<Client<S>>();
  /** Clients (admitted or refused) whose last words are queued: cut after CLOSING_TIMEOUT_MS. */
  private readonly departing = new Set<Client<S>>();
  private readonly perAddress = new Map<string, number>();
  private sweep: Timer;
  private stopping = false;
  private emptied: (() => void) | undefined;
  private hurried: (() => void) | undefined;
  private get closingTimeoutMs(): number {
    return this.opts.closingTimeoutMs ?? CLOSING_TIMEOUT_MS;
  }

  /** opts.maxClients, lowered to what the open-file limit allows. */
  readonly maxClients: number;

  constructor(
    readonly handler: ConnectionHandler<S>,
    private readonly opts: ServerOptions,
    /** Added to the "listening on" log line. */
    note = "",
  ) {
    const fileLimit = openFileLimit();
    this.maxClients = clientsWithinLimit(opts.maxClients, fileLimit);
    if (this.maxClients < opts.maxClients)
      opts.log.warn(
        `--max-clients ${opts.maxClients} lowered to ${this.maxClients}: the open-file limit is ${fileLimit} (raise it with ulimit -n)`,
      );
    try {
      this.listener = Bun.listen<Client<S>>({
        hostname: opts.host,
        port: opts.port,
        socket: {
          // Plain Uint8Arrays: no Buffer prototype to set up on every read.
          binaryType: "uint8array",
          open: (socket) => this.admit(socket),
          data: onData,
          drain: onDrain,
          close: onClose,
          error: onError,
          ...(handler.end ? { end: onEnd } : {}),
        },
      });
    } catch (error) {
      throw listenError(error, opts.host, opts.port);
    }
    this.host = opts.host;
    this.port = this.listener.port;
    // One sweep for idle clients, line deadlines and departures (a quarter of the shortest).
    const shortest = Math.min(
      ...[opts.idleTimeoutMs, opts.lineTimeoutMs ?? 0, this.closingTimeoutMs].filter((t) => t > 0),
    );
    this.sweep = setInterval(() => this.sweepClients(), Math.max(50, Math.min(1000, shortest / 4)));
    opts.log.info(`listening on ${formatHostPort(this.host, this.port)}${note}`);
  }

  /** Clients connected and admitted. */
  get clientCount(): number {
    return this.clients.size;
  }

  private admit(socket: Socket<Client<S>>): void {
    // A peer that reset at once may have no address left to read: never log "undefined".
    const host = socket.remoteAddress || "unknown";
    const client: Client<S> = {
      socket,
      host,
      address: formatHostPort(host, socket.remotePort ?? 0),
      writer: new BoundedWriter(socket as Socket<unknown>, this.opts.maxPendingOutput),
      server: this,
      lastSeen: performance.now(),
      leaving: false,
      leftAt: 0,
      lineSince: 0,
      unread: [],
      readPaused: false,
      session: undefined as S,
    };
    socket.data = client;
    client.writer.onRelieved = () => this.relieve(client);
    const refusal = this.refusalFor(client);
    if (refusal) {
      leave(client, refusal);
      this.departing.add(client);
      return;
    }
    capReceiveBuffer((socket as unknown as { fd?: number }).fd);
    this.perAddress.set(host, (this.perAddress.get(host) ?? 0) + 1);
    this.clients.add(client);
    client.session = this.handler.init(client);
    this.handler.open(client);
  }

  /** The last words of a client that cannot be admitted (logged), or undefined. */
  private refusalFor(client: Client<S>): Uint8Array | undefined {
    if (this.stopping) return this.handler.goodbye();
    if (this.clients.size >= this.maxClients) {
      this.opts.log.warn(
        `${client.address} refused: ${plural(this.maxClients, "client")} already connected`,
      );
      return this.handler.refusal(this.maxClients);
    }
    const cap = this.opts.maxPerAddress ?? 0;
    if (cap > 0 && (this.perAddress.get(client.host) ?? 0) >= cap) {
      this.opts.log.warn(
        `${client.address} refused: ${plural(cap, "client")} already from ${client.host}`,
      );
      return this.handler.refusal(this.maxClients);
    }
    return undefined;
  }

  /**
   * Hand `chunk` to the handler, TURN_BYTES at a time: the rest waits for the next turn of the
   * event loop (with the socket paused), so that one client's pipelined flood cannot make the
   * others wait. What the handler did not consume because its output backed up is set aside
   * too, until the writer is half drained.
   */
  feed(client: Client<S>, chunk: Uint8Array): void {
    let rest = chunk;
    let budget = TURN_BYTES;
    let stalled = false;
    while (rest.length > 0 && budget > 0 && !client.leaving) {
      const piece = rest.length > budget ? rest.subarray(0, budget) : rest;
      const used = this.handler.data(client, piece);
      // The usual read, answered whole: no view of an empty rest to make.
      if (used === rest.length) return;
      rest = rest.subarray(used);
      budget -= used;
      // The handler stops early for its output, to yield (it did enough this turn), or
      // because it cannot take input yet (waiting its turn: nothing consumed).
      if (used < piece.length) {
        stalled = used === 0;
        break;
      }
    }
    if (rest.length === 0 || client.leaving) return;
    // No copy: Bun gives each read a fresh buffer (measured), so a view of it can be kept.
    client.unread.unshift(rest);
    this.pauseReading(client);
    // Backed up: the drain resumes it. Otherwise it yielded: go on at the next turn.
    if (!client.writer.backedUp && !stalled) setImmediate(() => this.relieve(client));
  }

  private pauseReading(client: Client<S>): void {
    if (client.readPaused) return;
    client.readPaused = true;
    client.socket.pause();
  }

  /** The output is half drained (or the client's turn came): answer what was set aside, read on. */
  relieve(client: Client<S>): void {
    if (client.leaving || !this.clients.has(client)) return;
    const waiting = client.unread;
    client.unread = [];
    for (let i = 0; i < waiting.length; i++) {
      this.feed(client, waiting[i] as Uint8Array);
      if (client.leaving) return;
      if (client.unread.length > 0) {
        client.unread.push(...waiting.slice(i + 1));
        return;
      }
    }
    if (client.writer.backedUp) return;
    // Paused by us or by the writer (output past the cap written outside a feed): read on.
    client.readPaused = false;
    client.socket.resume();
  }

  /** Take a closed client out of the registry; true if it was in it. */
  forget(client: Client<S>): boolean {
    this.departing.delete(client);
    if (!this.clients.delete(client)) return false;
    const left = (this.perAddress.get(client.host) ?? 1) - 1;
    if (left > 0) this.perAddress.set(client.host, left);
    else this.perAddress.delete(client.host);
    if (this.clients.size === 0) this.emptied?.();
    return true;
  }

  private sweepClients(): void {
    const now = performance.now();
    const lineTimeout = this.opts.lineTimeoutMs ?? 0;
    for (const client of this.clients) {
      if (client.leaving) {
        this.departing.add(client);
        continue;
      }
      if (lineTimeout > 0 && client.lineSince > 0 && now - client.lineSince >= lineTimeout) {
        this.opts.log.info(`${client.address} line not ended within ${lineTimeout} ms: cut`);
        client.socket.terminate();
        continue;
      }
      if (this.opts.idleTimeoutMs <= 0 || now - client.lastSeen < this.opts.idleTimeoutMs) continue;
      this.handler.idle(client);
      // A client that does not read would never let the notice out: don't wait on it.
      if (client.leaving && client.writer.pending > 0) client.socket.terminate();
    }
    // Last words a client does not read must not hold its slot and descriptor forever.
    for (const client of this.departing) {
      if (now - client.leftAt < this.closingTimeoutMs) continue;
      this.departing.delete(client);
      client.socket.terminate();
    }
  }

  /** Stop accepting, say goodbye to everyone, wait (bounded) for them to go. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.sweep);
    this.listener.stop(false);
    for (const client of [...this.clients]) {
      if (client.leaving) continue;
      this.handler.stopping?.(client);
      leave(client, this.handler.goodbye());
    }
    if (this.clients.size > 0) {
      let timer: Timer | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.emptied = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.opts.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
        }),
        new Promise<void>((resolve) => {
          this.hurried = resolve;
        }),
      ]);
      clearTimeout(timer);
      for (const client of this.clients) client.socket.terminate();
    }
    for (const client of this.departing) client.socket.terminate();
    this.listener.stop(true);
    this.opts.log.info("stopped");
  }

  /** During stop(): stop waiting for goodbyes to flush. */
  hurry(): void {
    this.hurried?.();
  }
}
