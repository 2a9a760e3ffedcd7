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
//   serve    bytes go to handler.data() and stamp client.lastSeen. A client stops being read
//            once leave() has queued its last words (client.leaving); its socket closes when
//            they are out. A closed client leaves the registry, then handler.close() runs.
//   idle     ONE sweep timer for all clients, every idleTimeoutMs/4 (50 ms..1 s), so a silent
//            client goes between idleTimeoutMs and that plus a sweep; a message only stamps
//            lastSeen (a timer per client would be re-armed on every message instead).
//            handler.idle() is called for each client silent for idleTimeoutMs, and says its
//            notice with leave() (or spares the client, e.g. one queued behind another). A
//            client that left with output still queued does not read: it is cut at once.
//   stop     stop() (serveUntilSignal calls it on SIGINT/SIGTERM): stop accepting, give every
//            client handler.goodbye() (handler.stopping() first, e.g. to log), then wait until
//            the registry is empty (a waiter woken by the last close, no polling) or the
//            grace period (SHUTDOWN_GRACE_MS, 2 s) has passed, cut whoever is left, close the
//            listener, log "stopped". Nothing here calls process.exit: the program ends when
//            the command's run() returns.
import type { Socket, TCPSocketListener } from "bun";
import type { ConsolaInstance } from "consola";
import { BoundedWriter, SHUTDOWN_GRACE_MS } from "../limits.ts";
import { formatHostPort } from "../net.ts";
import { listenError } from "./listen-error.ts";

export interface ServerOptions {
  host: string;
  /** 0 lets the kernel pick; read the real one from `port`. */
  port: number;
  /** Close a client silent this long (handler.idle says how); 0 = never. */
  idleTimeoutMs: number;
  maxClients: number;
  /** Output queued for a client that does not read, before we stop reading it. */
  maxPendingOutput: number;
  log: ConsolaInstance;
  /** How long stop() waits for the goodbyes to go out before it cuts connections. */
  shutdownGraceMs?: number;
}

/** One connection as the life cycle sees it; `session` is the handler's own state. */
export interface Client<S> {
  readonly socket: Socket<Client<S>>;
  /** host:port of the peer, for logs. */
  readonly address: string;
  readonly writer: BoundedWriter;
  readonly server: TcpServer<S>;
  /** performance.now() of the last bytes received (or of the greeting). */
  lastSeen: number;
  /** Its last words are queued: no more input is read. */
  leaving: boolean;
  session: S;
}

/** What a server supplies: its words and its per-connection logic. */
export interface ConnectionHandler<S> {
  /** What the stop log counts: "2 game(s) interrupted". */
  readonly noun: string;
  /** Last words to every client when the server stops, and to one connecting meanwhile. */
  goodbye(): Uint8Array;
  /** The one line a client past maxClients gets before being closed. */
  refusal(maxClients: number): Uint8Array;
  /** The session of a client just admitted. */
  init(client: Client<S>): S;
  /** Greet a client just admitted (its session is set). */
  open(client: Client<S>): void;
  data(client: Client<S>, chunk: Uint8Array): void;
  /** The client closed its sending side (only for a handler that answers it; else Bun closes). */
  end?(client: Client<S>): void;
  /** Silent for idleTimeoutMs: say the notice with leave(), or spare the client. */
  idle(client: Client<S>): void;
  /** Called for each client about to get goodbye() because the server stops. */
  stopping?(client: Client<S>): void;
  error?(client: Client<S>, error: Error): void;
  /** The connection is closed and out of the registry. */
  close(client: Client<S>): void;
}

/** Queue `last` (if any) and close once it is out. False when the client was already leaving. */
export function leave<S>(client: Client<S>, last?: Uint8Array): boolean {
  if (client.leaving) return false;
  client.leaving = true;
  client.writer.end(last);
  return true;
}

// The socket callbacks: named top-level functions, one hop from Bun to the handler.

function onData<S>(socket: Socket<Client<S>>, chunk: Uint8Array): void {
  const client = socket.data;
  if (client.leaving) return;
  client.lastSeen = performance.now();
  client.server.handler.data(client, chunk);
}

function onDrain<S>(socket: Socket<Client<S>>): void {
  socket.data.writer.drain();
}

function onEnd<S>(socket: Socket<Client<S>>): void {
  const client = socket.data;
  if (client.leaving) socket.end();
  else client.server.handler.end?.(client);
}

function onClose<S>(socket: Socket<Client<S>>): void {
  const client = socket.data;
  // Refused clients never joined the registry: nothing to undo.
  if (client?.server.forget(client)) client.server.handler.close(client);
}

function onError<S>(socket: Socket<Client<S>>, error: Error): void {
  const client = socket.data;
  if (client) client.server.handler.error?.(client, error);
}

/** A listening server: the life cycle described at the top of this file. */
export class TcpServer<S> {
  readonly host: string;
  readonly port: number;
  private readonly listener: TCPSocketListener<Client<S>>;
  private readonly clients = new Set<Client<S>>();
  private idleSweep: Timer | undefined;
  private stopping = false;
  private emptied: (() => void) | undefined;

  constructor(
    readonly handler: ConnectionHandler<S>,
    private readonly opts: ServerOptions,
    /** Added to the "listening on" log line. */
    note = "",
  ) {
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
    if (opts.idleTimeoutMs > 0) {
      const every = Math.max(50, Math.min(1000, opts.idleTimeoutMs / 4));
      this.idleSweep = setInterval(() => this.sweepIdle(), every);
    }
    opts.log.info(`listening on ${formatHostPort(this.host, this.port)}${note}`);
  }

  /** Clients connected and admitted. */
  get clientCount(): number {
    return this.clients.size;
  }

  private admit(socket: Socket<Client<S>>): void {
    const client: Client<S> = {
      socket,
      address: formatHostPort(socket.remoteAddress, socket.remotePort),
      writer: new BoundedWriter(socket as Socket<unknown>, this.opts.maxPendingOutput),
      server: this,
      lastSeen: performance.now(),
      leaving: false,
      session: undefined as S,
    };
    socket.data = client;
    if (this.stopping) {
      leave(client, this.handler.goodbye());
      return;
    }
    if (this.clients.size >= this.opts.maxClients) {
      this.opts.log.warn(
        `${client.address} refused: ${this.opts.maxClients} clients already connected`,
      );
      leave(client, this.handler.refusal(this.opts.maxClients));
      return;
    }
    this.clients.add(client);
    client.session = this.handler.init(client);
    this.handler.open(client);
  }

  /** Take a closed client out of the registry; true if it was in it. */
  forget(client: Client<S>): boolean {
    if (!this.clients.delete(client)) return false;
    if (this.clients.size === 0) this.emptied?.();
    return true;
  }

  private sweepIdle(): void {
    const now = performance.now();
    for (const client of this.clients) {
      if (client.leaving || now - client.lastSeen < this.opts.idleTimeoutMs) continue;
      this.handler.idle(client);
      // A client that does not read would never let the notice out: don't wait on it.
      if (client.leaving && client.writer.pending > 0) client.socket.terminate();
    }
  }

  /** Stop accepting, say goodbye to everyone, wait (bounded) for them to go. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.idleSweep);
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
      ]);
      clearTimeout(timer);
      for (const client of this.clients) client.socket.terminate();
    }
    this.listener.stop(true);
    this.opts.log.info("stopped");
  }
}

/** Resolves with the name of the first SIGINT or SIGTERM: a server's cue to stop cleanly. */
function untilSignal(): Promise<"SIGINT" | "SIGTERM"> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

/**
 * Start a server and serve until SIGINT or SIGTERM, then stop gracefully; resolves once
 * stopped. The signal handlers go in before listening, so that a signal sent as soon as
 * "listening on" shows is not lost (it would kill the process: exit 143, no goodbyes).
 */
export async function serveUntilSignal<S>(
  start: () => TcpServer<S>,
  log: ConsolaInstance,
): Promise<void> {
  const signalled = untilSignal();
  const server = start();
  const signal = await signalled;
  log.info(`${signal}: stopping, ${server.clientCount} ${server.handler.noun}(s) interrupted`);
  await server.stop();
}
