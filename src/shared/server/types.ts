// What the server life cycle (lifecycle.ts) and a server's per-connection handler say to each
// other: the options, one client as the life cycle sees it, the server as a client reaches
// it, and the handler's callbacks. A leaf: it imports no module of the life cycle.
import type { Socket } from "bun";
import type { ConsolaInstance } from "consola";
import type { BoundedWriter } from "../limits.ts";

export interface ServerOptions {
  host: string;
  /** 0 lets the kernel pick; read the real one from `port`. */
  port: number;
  /** Close a client silent this long (handler.idle says how); 0 = never. */
  idleTimeoutMs: number;
  maxClients: number;
  /** Most clients from one address at once; 0 = no cap. */
  maxPerAddress?: number;
  /** Cut a client that has begun a line and not ended it within this long; 0 = never. */
  lineTimeoutMs?: number;
  /** Cut a client whose last words are still queued this long after leave() (tests shorten it). */
  closingTimeoutMs?: number;
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
  /** The peer's address alone, for the per-address cap. */
  readonly host: string;
  readonly writer: BoundedWriter;
  readonly server: ClientServer<S>;
  /** performance.now() of the last bytes received (or of the greeting). */
  lastSeen: number;
  /** Its last words are queued: no more input is read. */
  leaving: boolean;
  /** performance.now() when leave() was called. */
  leftAt: number;
  /** performance.now() when the line now held began (0: none). */
  lineSince: number;
  /** Input received but set aside while the output is backed up (one read at most). */
  unread: Uint8Array[];
  /** Reading is paused by us (backed-up output, set-aside input, or a turn to wait). */
  readPaused: boolean;
  session: S;
}

/** The listening server as its clients' socket callbacks and handlers reach it. */
export interface ClientServer<S> {
  /** The port listened on (the kernel's pick when 0 was asked for). */
  readonly port: number;
  readonly handler: ConnectionHandler<S>;
  /** Hand received bytes to the handler, within the client's turn. */
  feed(client: Client<S>, chunk: Uint8Array): void;
  /** The client's output is half drained (or its turn came): answer what was set aside. */
  relieve(client: Client<S>): void;
  /** Take a closed client out of the registry; true if it was in it. */
  forget(client: Client<S>): boolean;
}

/** What a server supplies: its words and its per-connection logic. */
export interface ConnectionHandler<S> {
  /** What the stop log counts: "2 games interrupted". */
  readonly noun: string;
  /**
   * What the stop log counts when this server's connections are not all of them (tp-guess:
   * the play page's WebSocket players sit in the same room); the server's clients otherwise.
   */
  inProgress?(): number;
  /** Last words to every client when the server stops, and to one connecting meanwhile. */
  goodbye(): Uint8Array;
  /** The one line a client past maxClients gets before being closed. */
  refusal(maxClients: number): Uint8Array;
  /** The session of a client just admitted. */
  init(client: Client<S>): S;
  /** Greet a client just admitted (its session is set). */
  open(client: Client<S>): void;
  /**
   * Answer the lines of `chunk`, stopping after the one whose answer leaves client.writer
   * backedUp; returns how many bytes it consumed (the rest is handed back later).
   */
  data(client: Client<S>, chunk: Uint8Array): number;
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
