// The echo server: the lab's dialogue (dialogue.ts) as a per-connection handler for the shared
// server life cycle (src/shared/server/lifecycle.ts), which owns listening, the client
// registry, the limits, the idle sweep and the graceful stop. What is left here is the echo:
// line framing, one reply per line, and --sequential, the lab's one-client-at-a-time mode.
import { type ConsolaInstance, LogLevels } from "consola";
import { decodeText, LineFramer, stripLineEnd } from "../shared/lines.ts";
import { plural } from "../shared/plural.ts";
import {
  type Client,
  type ConnectionHandler,
  leave,
  type ServerOptions,
  TcpServer,
} from "../shared/server/lifecycle.ts";
import { answer, goodbye, isEndOfDialogue, notices, welcome } from "./dialogue.ts";
import { EchoBatch, echoReply } from "./echoes.ts";

const LF = 0x0a;
const MAX_BATCH_BYTES = 64 * 1024;

export interface EchoServerOptions extends ServerOptions {
  /** Serve one client at a time, like the lab's server; the others wait their turn. */
  sequential: boolean;
  maxLineBytes: number;
}

interface EchoSession {
  framer: LineFramer;
  /** Accepted but queued behind another client (--sequential): its input is left unread. */
  waiting: boolean;
}

type EchoClient = Client<EchoSession>;

/** What the hot path needs, built once per server. */
interface EchoContext {
  log: ConsolaInstance;
  maxLineBytes: number;
  /** Per-message log lines cost a decode each: skip building them when nobody will see them. */
  logMessages: boolean;
}

/** How a log line shows a message: quoted, bounded, line end dropped. */
function preview(line: Uint8Array): string {
  const text = decodeText(stripLineEnd(line));
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** Say `last`, close once it is out, and free the client's turn (--sequential). */
function finish(handler: EchoHandler, client: EchoClient, last: Uint8Array, why: string): void {
  if (!leave(client, last)) return;
  handler.ctx.log.info(`${client.address} leaving: ${why}`);
  handler.release(client);
}

/**
 * The hot path: answer the lines of a segment, stopping after the line whose echo backs the
 * output up past the cap (a read of 2-byte lines is ~12x more output than input: checking
 * per segment let 1000 non-reading clients hold 1.6 GB). Returns the bytes consumed.
 */
function consume(handler: EchoHandler, client: EchoClient, chunk: Uint8Array): number {
  const ctx = handler.ctx;
  const framer = client.session.framer;
  const last = chunk.length - 1;
  // The lab's dialogue: a segment holding exactly one whole line, nothing held before it. One
  // reply buffer and no batch: 6.2 -> 5.6 µs of server CPU per message (bench echo, 100
  // clients), most of the rest being the kernel's recv + send (docs/echo.md).
  if (
    framer.pending === 0 &&
    chunk[last] === LF &&
    last <= ctx.maxLineBytes &&
    chunk.indexOf(LF) === last &&
    !isEndOfDialogue(chunk)
  ) {
    if (ctx.logMessages) ctx.log.info(`${client.address} message ${preview(chunk)}`);
    client.writer.write(echoReply(chunk, 0, chunk.length));
    return chunk.length;
  }
  // All the echoes of one segment go out in one write: a syscall per line would cost a
  // pipelining client (many lines per segment) several times the CPU.
  const batch = new EchoBatch();
  // At most MAX_BATCH_BYTES a write: a reply partly sent keeps its whole buffer queued.
  const room = Math.min(client.writer.room, MAX_BATCH_BYTES);
  let ending: { bytes: Uint8Array; why: string } | undefined;
  let at = 0;
  while (at < chunk.length && batch.bytes <= room) {
    let line: Uint8Array = chunk;
    let start = at;
    let end = chunk.indexOf(LF, at) + 1;
    if (framer.pending > 0 || end === 0 || end - at > ctx.maxLineBytes + 1) {
      // A line begun in an earlier segment, not ended in this one, or maybe too long.
      const step = framer.next(chunk, at);
      at = step.end;
      if (step.overflow) {
        ctx.log.warn(
          `${client.address} line longer than ${plural(ctx.maxLineBytes, "byte")}: disconnected`,
        );
        ending = { bytes: notices.lineTooLong(ctx.maxLineBytes), why: "line too long" };
        break;
      }
      if (!step.line) break;
      line = step.line;
      start = 0;
      end = line.length;
    } else at = end;
    if (isEndOfDialogue(line, start, end)) {
      ending = { bytes: goodbye(), why: "said goodbye" };
      break;
    }
    if (ctx.logMessages)
      ctx.log.info(`${client.address} message ${preview(line.subarray(start, end))}`);
    batch.add(line, start, end);
  }
  if (batch.lineCount > 0) client.writer.write(batch.build());
  if (ending) finish(handler, client, ending.bytes, ending.why);
  return ending ? chunk.length : at;
}

class EchoHandler implements ConnectionHandler<EchoSession> {
  readonly noun = "client";
  readonly ctx: EchoContext;
  /** --sequential: the client being served, and those waiting their turn. */
  private active: EchoClient | undefined;
  private readonly queue: EchoClient[] = [];

  constructor(private readonly opts: EchoServerOptions) {
    this.ctx = {
      log: opts.log,
      maxLineBytes: opts.maxLineBytes,
      logMessages: opts.log.level >= LogLevels.info,
    };
  }

  goodbye(): Uint8Array {
    return goodbye();
  }

  refusal(maxClients: number): Uint8Array {
    return notices.full(maxClients);
  }

  init(): EchoSession {
    return { framer: new LineFramer(this.opts.maxLineBytes), waiting: true };
  }

  open(client: EchoClient): void {
    if (this.opts.sequential && this.active) {
      // As with the lab's server, the newcomer waits (connected, unanswered) for its turn.
      this.opts.log.info(
        `${client.address} connected, waiting for ${this.active.address} to leave`,
      );
      this.queue.push(client);
      return;
    }
    this.activate(client);
  }

  private activate(client: EchoClient): void {
    const session = client.session;
    session.waiting = false;
    client.lastSeen = performance.now();
    if (this.opts.sequential) this.active = client;
    this.opts.log.info(`${client.address} connected`);
    client.writer.write(welcome(this.opts.host, client.server.port));
    // What it sent while waiting was set aside unread: answer it now, then read on.
    client.server.relieve(client);
  }

  /** A waiting client consumes nothing: the life cycle sets its input aside and stops reading. */
  data(client: EchoClient, chunk: Uint8Array): number {
    return client.session.waiting ? 0 : consume(this, client, chunk);
  }

  /** The client closed its sending side: answer what it left unterminated, then say goodbye (as the lab does on an empty read). */
  end(client: EchoClient): void {
    if (client.session.waiting) {
      this.unqueue(client);
      leave(client);
      return;
    }
    const rest = client.session.framer.flush();
    if (rest) {
      const reply = answer(rest);
      if (reply.kind === "echo") {
        this.opts.log.info(`${client.address} message ${preview(rest)}`);
        client.writer.write(reply.bytes);
      }
    }
    finish(this, client, goodbye(), "closed its side");
  }

  idle(client: EchoClient): void {
    if (client.session.waiting) return; // its silence is ours: it has not been served yet
    const seconds = Math.round(this.opts.idleTimeoutMs / 1000);
    this.opts.log.info(`${client.address} idle for ${seconds} s: disconnected`);
    finish(this, client, notices.idle(seconds), "idle");
  }

  error(client: EchoClient, error: Error): void {
    this.opts.log.warn(`${client.address} error: ${error.message}`);
  }

  close(client: EchoClient): void {
    this.unqueue(client);
    this.opts.log.info(`${client.address} gone`);
    this.release(client);
  }

  /** Frees the client's turn: the next waiting client is served (--sequential). */
  release(client: EchoClient): void {
    if (this.active !== client) return;
    this.active = undefined;
    let next = this.queue.shift();
    while (next?.leaving) next = this.queue.shift();
    if (next) this.activate(next);
  }

  private unqueue(client: EchoClient): void {
    const i = this.queue.indexOf(client);
    if (i >= 0) this.queue.splice(i, 1);
  }
}

export type EchoServer = TcpServer<EchoSession>;

/** Listen and serve the echo dialogue; throws a one-line RuntimeError if it cannot listen. */
export function startEchoServer(opts: EchoServerOptions): EchoServer {
  const note = opts.sequential ? " (sequential: one client at a time)" : "";
  return new TcpServer(new EchoHandler(opts), opts, note);
}
