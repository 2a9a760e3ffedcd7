// The echo server: the lab's dialogue for many clients at once on Bun.listen, with limits
// that keep it alive and its memory flat whatever the clients do.
import type { Socket, TCPSocketListener } from "bun";
import { type ConsolaInstance, LogLevels } from "consola";
import { BoundedWriter, SHUTDOWN_GRACE_MS } from "../shared/limits.ts";
import { concatBytes, decodeText, LineFramer, stripLineEnd } from "../shared/lines.ts";
import { formatHostPort, listenError } from "../shared/net.ts";
import { answer, goodbye, notices, welcome } from "./dialogue.ts";

export interface EchoServerOptions {
  host: string;
  port: number;
  /** Serve one client at a time, like the lab's server; the others wait their turn. */
  sequential: boolean;
  maxLineBytes: number;
  idleTimeoutMs: number;
  maxClients: number;
  maxPendingOutput: number;
  log: ConsolaInstance;
}

interface Client {
  address: string;
  framer: LineFramer;
  writer: BoundedWriter;
  lastSeen: number;
  /** waiting: accepted but queued behind another client (--sequential); closing: no more input. */
  state: "waiting" | "active" | "closing";
  /** Input that arrived while waiting, replayed when the client's turn comes. */
  held: Uint8Array[];
}

type EchoSocket = Socket<Client>;

/** How a log line shows a message: quoted, bounded, line end dropped. */
function preview(line: Uint8Array): string {
  const text = decodeText(stripLineEnd(line));
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

export class EchoServer {
  private listener: TCPSocketListener<Client>;
  private readonly clients = new Set<EchoSocket>();
  private readonly waiting: EchoSocket[] = [];
  private active: EchoSocket | undefined;
  private idleSweep: Timer | undefined;
  private stopping = false;
  /** Per-message log lines cost a decode each: skip building them when nobody will see them. */
  private readonly logMessages: boolean;

  constructor(private readonly opts: EchoServerOptions) {
    this.logMessages = opts.log.level >= LogLevels.info;
    try {
      this.listener = Bun.listen<Client>({
        hostname: opts.host,
        port: opts.port,
        socket: {
          // Plain Uint8Arrays: no Buffer prototype to set up on every read.
          binaryType: "uint8array",
          open: (socket) => this.onOpen(socket),
          data: (socket, chunk) => this.onData(socket, chunk),
          drain: (socket) => socket.data.writer.drain(),
          end: (socket) => this.onEnd(socket),
          close: (socket) => this.onClose(socket),
          error: (socket, error) =>
            opts.log.warn(`${socket.data?.address} error: ${error.message}`),
        },
      });
    } catch (error) {
      throw listenError(error, opts.host, opts.port);
    }
    if (opts.idleTimeoutMs > 0) {
      // One sweep for all clients instead of a timer each: cheap at thousands of clients.
      const every = Math.max(50, Math.min(1000, opts.idleTimeoutMs / 4));
      this.idleSweep = setInterval(() => this.closeIdle(), every);
    }
    opts.log.info(
      `listening on ${formatHostPort(opts.host, this.listener.port)}${opts.sequential ? " (sequential: one client at a time)" : ""}`,
    );
  }

  get port(): number {
    return this.listener.port;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private onOpen(socket: EchoSocket): void {
    const address = formatHostPort(socket.remoteAddress, socket.remotePort);
    const writer = new BoundedWriter(socket as Socket<unknown>, this.opts.maxPendingOutput);
    socket.data = {
      address,
      framer: new LineFramer(this.opts.maxLineBytes),
      writer,
      lastSeen: performance.now(),
      state: "waiting",
      held: [],
    };
    if (this.stopping) {
      writer.end(goodbye());
      return;
    }
    if (this.clients.size >= this.opts.maxClients) {
      this.opts.log.warn(`${address} refused: ${this.opts.maxClients} clients already connected`);
      socket.data.state = "closing";
      writer.end(notices.full(this.opts.maxClients));
      return;
    }
    this.clients.add(socket);
    if (this.opts.sequential && this.active) {
      // As with the lab's server, the newcomer waits (connected, unanswered) for its turn.
      this.opts.log.info(`${address} connected, waiting for ${this.active.data.address} to leave`);
      this.waiting.push(socket);
      return;
    }
    this.activate(socket);
  }

  private activate(socket: EchoSocket): void {
    const client = socket.data;
    client.state = "active";
    client.lastSeen = performance.now();
    if (this.opts.sequential) this.active = socket;
    this.opts.log.info(`${client.address} connected`);
    client.writer.write(welcome(this.opts.host, this.listener.port));
    for (const chunk of client.held.splice(0)) this.consume(socket, chunk);
  }

  private onData(socket: EchoSocket, chunk: Uint8Array): void {
    const client = socket.data;
    client.lastSeen = performance.now();
    if (client.state === "waiting") {
      // Hold a little; a waiting client that keeps talking is held at the line limit.
      client.held.push(chunk.slice());
      if (client.held.reduce((n, c) => n + c.length, 0) > this.opts.maxLineBytes) socket.pause();
      return;
    }
    if (client.state === "active") this.consume(socket, chunk);
  }

  private consume(socket: EchoSocket, chunk: Uint8Array): void {
    const client = socket.data;
    const { lines, overflow } = client.framer.push(chunk);
    // All the echoes of one segment go out in one write: a syscall per line would cost a
    // pipelining client (many lines per segment) several times the CPU.
    const replies: Uint8Array[] = [];
    let ending: { bytes: Uint8Array; why: string } | undefined;
    for (const line of lines) {
      const reply = answer(line);
      if (reply.kind === "goodbye") {
        ending = { bytes: reply.bytes, why: "said goodbye" };
        break;
      }
      if (this.logMessages) this.opts.log.info(`${client.address} message ${preview(line)}`);
      replies.push(reply.bytes);
    }
    if (!ending && overflow) {
      this.opts.log.warn(
        `${client.address} line longer than ${this.opts.maxLineBytes} bytes: disconnected`,
      );
      ending = { bytes: notices.lineTooLong(this.opts.maxLineBytes), why: "line too long" };
    }
    if (replies.length > 0) client.writer.write(concatBytes(replies));
    if (ending) this.finish(socket, ending.bytes, ending.why);
  }

  /** The client closed its sending side: answer what it left unterminated, then say goodbye (as the lab does on an empty read). */
  private onEnd(socket: EchoSocket): void {
    const client = socket.data;
    if (client.state !== "active") {
      if (client.state === "waiting") this.drop(socket);
      socket.end();
      return;
    }
    const rest = client.framer.flush();
    if (rest) {
      const reply = answer(rest);
      if (reply.kind === "echo") {
        this.opts.log.info(`${client.address} message ${preview(rest)}`);
        client.writer.write(reply.bytes);
      }
    }
    this.finish(socket, goodbye(), "closed its side");
  }

  private finish(socket: EchoSocket, last: Uint8Array, why: string): void {
    const client = socket.data;
    if (client.state === "closing") return;
    client.state = "closing";
    this.opts.log.info(`${client.address} leaving: ${why}`);
    client.writer.end(last);
    this.release(socket);
  }

  private onClose(socket: EchoSocket): void {
    const client = socket.data;
    if (!client || !this.clients.has(socket)) return;
    this.drop(socket);
    this.opts.log.info(`${client.address} gone`);
    this.release(socket);
  }

  /** Frees the client's place: the next waiting client gets its turn (sequential mode). */
  private release(socket: EchoSocket): void {
    if (this.active === socket) {
      this.active = undefined;
      const next = this.waiting.shift();
      if (next) this.activate(next);
    }
  }

  private drop(socket: EchoSocket): void {
    const i = this.waiting.indexOf(socket);
    if (i >= 0) this.waiting.splice(i, 1);
    this.clients.delete(socket);
  }

  private closeIdle(): void {
    const now = performance.now();
    for (const socket of this.clients) {
      const client = socket.data;
      if (client.state !== "active" || now - client.lastSeen < this.opts.idleTimeoutMs) continue;
      this.opts.log.info(
        `${client.address} idle for ${Math.round(this.opts.idleTimeoutMs / 1000)} s: disconnected`,
      );
      this.finish(socket, notices.idle(Math.round(this.opts.idleTimeoutMs / 1000)), "idle");
      // A client that does not read would never let the notice out: don't wait on it.
      if (client.writer.pending > 0) socket.terminate();
    }
  }

  /** Stop accepting, say Good Bye. to everyone, wait (bounded) for it to go out. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.idleSweep);
    this.listener.stop(false);
    for (const socket of [...this.clients]) {
      if (socket.data.state === "closing") continue;
      socket.data.state = "closing";
      socket.data.writer.end(goodbye());
    }
    const deadline = performance.now() + SHUTDOWN_GRACE_MS;
    while (this.clients.size > 0 && performance.now() < deadline) await Bun.sleep(10);
    for (const socket of this.clients) socket.terminate();
    this.listener.stop(true);
    this.opts.log.info("stopped");
  }
}
