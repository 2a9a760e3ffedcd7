// The human client: what the person types goes to the server line by line, what the server
// says is shown as it arrives (prompts without a line end included). Any guessing server
// works: this is a plain line client that only watches for a win word to pick its exit code,
// and for prompts, to know when the server waits for input that will not come.
import type { Socket } from "bun";
import { RuntimeError } from "../shared/errors.ts";
import { readLines } from "../shared/input.ts";
import { encodeText } from "../shared/lines.ts";
import { connectTcp, formatHostPort, Sender } from "../shared/net.ts";
import { classify, looksLikePrompt, promptsIn } from "./hints.ts";
import { NAME_COMMAND } from "./names.ts";
import { KEYWORDS } from "./protocol.ts";

export interface PlayOptions {
  host: string;
  port: number;
  /** Connect timeout, and how long to wait for a server that stops asking once our input ended. */
  timeoutMs: number;
  /** Sent first as `nom NAME`. */
  name?: string;
}

const LF = 0x0a;
/** Our server's questions start with their keyword and " ?" (protocol.ts). */
const OUR_PROMPT = new RegExp(`^(${KEYWORDS.askMax}|${KEYWORDS.askGuess}) \\?`);

/** A line (or text without a line end) that asks for input. */
function isPrompt(text: string): boolean {
  return OUR_PROMPT.test(text) || looksLikePrompt(text);
}

/** One game played by hand on one connection. */
class PlayConnection {
  private readonly where: string;
  private readonly decoder = new TextDecoder();
  /** Text after the last line end received (kept short). */
  private partial = "";
  private won = false;
  private inputEnded = false;
  /** Lines we sent, and questions the server asked: once it has asked more, all are answered. */
  private linesSent = 0;
  private prompts = 0;
  private lastPrompt = "";
  private linger: ReturnType<typeof setTimeout> | undefined;
  private out: Sender | undefined;
  private socket: Socket<undefined> | undefined;
  private finish: (error?: string) => void = () => {};
  readonly done = new Promise<string | undefined>((resolve) => {
    this.finish = resolve;
  });

  constructor(private readonly opts: PlayOptions) {
    this.where = formatHostPort(opts.host, opts.port);
  }

  async connect(): Promise<void> {
    this.socket = await connectTcp<undefined>(
      this.opts.host,
      this.opts.port,
      undefined,
      {
        open: (s) => {
          this.out = new Sender(s as Socket<unknown>);
          if (this.opts.name !== undefined)
            void this.send(encodeText(`${NAME_COMMAND} ${this.opts.name}\n`));
        },
        data: (_s, chunk) => this.onData(chunk),
        drain: () => this.out?.drained(),
        close: () => {
          this.out?.closed();
          if (this.partial !== "") this.scan(this.partial);
          this.finish();
        },
        error: (_s, error) => this.finish(`connection to ${this.where} failed: ${error.message}`),
      },
      this.opts.timeoutMs,
    );
  }

  /** Send typed lines; false once the connection is gone. */
  send(lines: Uint8Array): boolean | Promise<boolean> {
    for (const byte of lines) if (byte === LF) this.linesSent++;
    if (lines[lines.length - 1] !== LF) this.linesSent++;
    return this.out?.send(lines) ?? false;
  }

  /**
   * Our input is over. No FIN: some servers (Bun's default, many classmates') hang up on it at
   * once, before answering the lines still in flight. Read on until the server has answered
   * every line (it asks again), closes, or falls silent for the timeout.
   */
  endOfInput(): void {
    this.inputEnded = true;
    this.checkAnswered();
  }

  get gameWon(): boolean {
    return this.won;
  }

  get ownInputEnded(): boolean {
    return this.inputEnded;
  }

  stop(): void {
    clearTimeout(this.linger);
  }

  private onData(chunk: Uint8Array): void {
    process.stdout.write(chunk);
    this.partial += this.decoder.decode(chunk, { stream: true });
    const lines = this.partial.split("\n");
    const rest = lines.pop() ?? "";
    for (const line of lines) this.scan(line);
    this.partial = rest.length > 4096 ? rest.slice(-4096) : rest;
    // Questions without a line end ("Devine : "): counted, then set aside, so that the next
    // one on the same line ("Nombre max ? Devine : ") counts too, in this chunk or the next.
    if (this.partial !== "" && isPrompt(this.partial)) {
      if (classify(this.partial) === "win") this.won = true;
      const prompts = promptsIn(this.partial);
      for (const prompt of prompts.length > 0 ? prompts : [this.partial]) this.asked(prompt);
      this.partial = "";
    }
    this.checkAnswered();
  }

  private scan(line: string): void {
    if (classify(line) === "win") this.won = true;
    if (isPrompt(line.replace(/\r$/, ""))) this.asked(line);
  }

  private asked(text: string): void {
    this.prompts++;
    this.lastPrompt = text.trim();
  }

  /** Input over: done once the server asks for more than we sent; else wait, bounded. */
  private checkAnswered(): void {
    if (!this.inputEnded) return;
    if (this.prompts > this.linesSent) {
      this.finish(
        `input ended before the game was won; ${this.where} asks for more: ${JSON.stringify(this.lastPrompt)}`,
      );
      this.socket?.end();
      return;
    }
    clearTimeout(this.linger);
    this.linger = setTimeout(() => {
      // Settle first: end() runs the close handler at once.
      this.finish(
        `input ended and ${this.where} said nothing more for ${this.opts.timeoutMs / 1000} s, game not won`,
      );
      this.socket?.end();
    }, this.opts.timeoutMs);
  }
}

/** Resolves when the server closes after a win; throws a one-line RuntimeError otherwise. */
export async function runPlay(opts: PlayOptions): Promise<void> {
  const game = new PlayConnection(opts);
  await game.connect();
  const input = readLines((lines) => game.send(lines));
  input.ended.then((ended) => {
    // Not ended: we stopped reading ourselves, the game is over.
    if (ended) game.endOfInput();
  });
  const error = await game.done;
  game.stop();
  // Stop reading the terminal, or the pending read would keep the process alive.
  input.stop();
  if (error) throw new RuntimeError(error);
  if (!game.gameWon) {
    const where = formatHostPort(opts.host, opts.port);
    throw new RuntimeError(
      game.ownInputEnded
        ? `input ended before the game was won; ${where} closed the connection`
        : `${where} closed the connection before the game was won`,
    );
  }
}
