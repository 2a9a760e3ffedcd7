// One game of the bot on one TCP connection: the socket's events feed a BotSession, two
// timers keep it moving. Reads the server's text as it comes: complete lines at once, a
// prompt without a line end as soon as it looks like one, any other leftover after a short
// quiet spell (settleMs), so a server that never sends "\n" still gets played.
import type { Socket } from "bun";
import { BoundedWriter } from "../shared/limits.ts";
import { encodeText } from "../shared/lines.ts";
import { connectTcp, formatHostPort } from "../shared/net.ts";
import { BotSession, type Step } from "./bot-session.ts";
import { looksLikePrompt } from "./hints.ts";

export interface BotOptions {
  host: string;
  port: number;
  /** Our maximum; without it the server must state its range (tp-guess server --max). */
  max?: bigint;
  /** Sent with `nom NAME` first. */
  name?: string;
  /** Give up when the server says nothing for this long while we wait for it. */
  timeoutMs: number;
  /** Quiet spell after which a leftover without line end is read, or the bot speaks first. */
  settleMs: number;
}

export interface GameResult {
  won: boolean;
  guesses: number;
  /** The maximum played: ours, or the one the server fixed. */
  max: bigint | undefined;
  /** Won because the server hung up after a guess, not with a win word. */
  closedAsEnd: boolean;
  error?: string;
}

/** Longest text without a line end we hold from a server before calling it nonsense. */
const MAX_PENDING_TEXT = 64 * 1024;

/** Each line of the game as it goes: "<" from the server, ">" ours. */
export type Dialogue = (direction: "<" | ">", text: string) => void;

/** One game on one connection: the socket's events feed the session; timers keep it moving. */
export class BotGame {
  readonly session: BotSession;
  private readonly where: string;
  private readonly decoder = new TextDecoder();
  /** Text received and not yet read as a message (no line end yet). */
  private pending = "";
  private received = 0;
  private sent = 0;
  /** While a read is taken apart, what we answer waits here and goes out after it. */
  private holding = false;
  private held: string | undefined;
  private out: BoundedWriter | undefined;
  private socket: Socket<undefined> | undefined;
  private settle: ReturnType<typeof setTimeout> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private finished = false;
  private finish: (r: GameResult) => void = () => {};
  readonly result = new Promise<GameResult>((resolve) => {
    this.finish = resolve;
  });

  constructor(
    private readonly opts: BotOptions,
    private readonly dialogue?: Dialogue,
  ) {
    this.session = new BotSession(opts.max, { name: opts.name });
    this.where = formatHostPort(opts.host, opts.port);
  }

  /** Connect and play; resolves when the game ends. */
  async play(): Promise<GameResult> {
    try {
      this.socket = await connectTcp<undefined>(
        this.opts.host,
        this.opts.port,
        undefined,
        {
          open: (s) => this.onOpen(s),
          data: (_s, chunk) => this.onData(chunk),
          drain: () => this.out?.drain(),
          close: () => this.onClose(),
          error: (_s, error) => this.end(`connection to ${this.where} failed: ${error.message}`),
        },
        this.opts.timeoutMs,
      );
    } catch (error) {
      this.finished = true;
      this.stopTimers();
      return { ...this.outcome((error as Error).message), guesses: 0, max: this.opts.max };
    }
    return this.result;
  }

  private onOpen(s: Socket<undefined>): void {
    this.socket = s;
    this.out = new BoundedWriter(s as Socket<unknown>);
    s.setNoDelay(true);
    this.arm();
  }

  /**
   * Complete lines at once, a prompt without a line end as soon as it looks like one. What we
   * answer goes out after the whole read is shown, so the transcript keeps the wire's order
   * (a hint and the next prompt often come in one read).
   */
  private onData(chunk: Uint8Array): void {
    if (this.finished) return;
    this.received += chunk.length;
    this.pending += this.decoder.decode(chunk, { stream: true });
    this.queueing(() => {
      for (let nl = this.pending.indexOf("\n"); nl >= 0; nl = this.pending.indexOf("\n")) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.message(line);
        if (this.finished) return;
      }
      if (this.pending !== "" && looksLikePrompt(this.pending)) this.message(this.takePending());
    });
    if (!this.finished && this.pending.length > MAX_PENDING_TEXT) {
      this.end(`${this.where} sent over ${MAX_PENDING_TEXT / 1024} KiB without a line end`);
    }
    this.arm();
  }

  private onClose(): void {
    if (this.finished) return;
    if (this.pending !== "") this.message(this.takePending());
    if (!this.finished) this.apply(this.session.onClose());
    this.end(`connection to ${this.where} closed`);
  }

  /** Quiet for settleMs: read a leftover without line end, or speak first. */
  private onSettle(): void {
    const before = this.sent;
    if (this.pending !== "") this.message(this.takePending());
    // Speak first only if that leftover did not already make us answer.
    if (!this.finished && this.sent === before) this.apply(this.session.onQuiet());
  }

  private onDeadline(): void {
    const heard = this.received === 0 ? " (it sent nothing at all)" : "";
    const seconds = this.opts.timeoutMs / 1000;
    this.end(
      `no answer from ${this.where} for ${seconds} s${heard}, waiting for ${this.session.waitingFor()}`,
    );
  }

  private takePending(): string {
    const text = this.pending;
    this.pending = "";
    return text;
  }

  private message(text: string): void {
    if (this.finished) return;
    const trimmed = text.replace(/\r$/, "");
    if (trimmed.trim() !== "") this.dialogue?.("<", trimmed);
    this.apply(this.session.onMessage(trimmed));
  }

  private apply(step: Step): void {
    if (step.send !== undefined) {
      this.sent++;
      if (this.holding) this.held = step.send;
      else this.send(step.send);
    }
    if (step.won) this.end();
    else if (step.fail) this.end(step.fail);
  }

  /** Run `read` with what it decides to send held back until it returns. */
  private queueing(read: () => void): void {
    this.holding = true;
    read();
    this.holding = false;
    const line = this.held;
    this.held = undefined;
    if (line !== undefined && !this.finished) this.send(line);
  }

  private send(line: string): void {
    this.dialogue?.(">", line);
    this.out?.write(encodeText(`${line}\n`));
    // Time the server's answer (and the next quiet spell) from what we just said.
    this.arm();
  }

  /** Both timers restart on every event; refresh() re-arms them without new allocations. */
  private arm(): void {
    if (this.finished) return;
    if (this.settle && this.deadline) {
      this.settle.refresh();
      this.deadline.refresh();
      return;
    }
    this.settle = setTimeout(() => this.onSettle(), this.opts.settleMs);
    this.deadline = setTimeout(() => this.onDeadline(), this.opts.timeoutMs);
  }

  private stopTimers(): void {
    clearTimeout(this.settle);
    clearTimeout(this.deadline);
  }

  private outcome(error?: string): GameResult {
    const { guesses, max, closedAsEnd } = this.session;
    return { won: error === undefined, guesses, max, closedAsEnd, error };
  }

  private end(error?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    this.socket?.end();
    this.finish(this.outcome(error));
  }
}
