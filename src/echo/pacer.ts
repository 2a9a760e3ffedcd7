// The client in step with the dialogue: one line per `Votre message ?`, as a person types.
// The lab's server reads whatever one recv() returns as one message, so a client that sends
// all its input at once gets `ECHO : salut\nça va ?\nFIN` back; sent one line per prompt, the
// dialogue is the same as with our server. A server that never prompts (or not within
// `promptWaitMs`) gets the lines as they come. No sockets or clocks here but what is passed in.
import { decodeText } from "../shared/lines.ts";
import { PROMPT } from "./dialogue.ts";

const LF = 0x0a;
const PROMPT_LINE = PROMPT.trimEnd();

export interface PacerIo {
  /** Write to the server; resolves false if the connection is gone. */
  send(bytes: Uint8Array): Promise<boolean>;
  setTimer(ms: number, fire: () => void): () => void;
}

export class PromptPacer {
  private readonly waiting: Uint8Array[] = [];
  /** Prompts seen and not yet answered. */
  private credits = 0;
  /** The server never prompted in time: send lines as they come. */
  streaming = false;
  /** Text of the server line not yet ended (a prompt may arrive in pieces). */
  private partial = "";
  private cancelTimer: (() => void) | undefined;
  private idle: Array<() => void> = [];
  private sending = false;

  constructor(
    private readonly io: PacerIo,
    private readonly promptWaitMs = 2000,
  ) {}

  /** Whatever the server sent: count the prompt lines in it. */
  fromServer(chunk: Uint8Array): void {
    const text = this.partial + decodeText(chunk);
    const lines = text.split("\n");
    this.partial = (lines.pop() ?? "").slice(-PROMPT_LINE.length - 1);
    for (const line of lines) if (line === PROMPT_LINE) this.credits++;
    // The lab's prompt ends its line; ours too. One still open at the end counts only once ended.
    this.pump();
  }

  /** Complete lines from the input; resolves once they have all been sent (or cannot be). */
  offer(lines: Uint8Array): Promise<void> {
    let start = 0;
    while (start < lines.length) {
      const nl = lines.indexOf(LF, start);
      const end = nl < 0 ? lines.length : nl + 1;
      this.waiting.push(lines.subarray(start, end));
      start = end;
    }
    this.pump();
    return this.whenIdle();
  }

  /** Lines still waiting for a prompt. */
  get backlog(): number {
    return this.waiting.length;
  }

  /** The connection is gone: release whoever waits. */
  close(): void {
    this.waiting.length = 0;
    this.cancelTimer?.();
    for (const wake of this.idle.splice(0)) wake();
  }

  private whenIdle(): Promise<void> {
    if (this.waiting.length === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.waiting.length > 0 && (this.streaming || this.credits > 0)) {
      const batch = this.streaming ? this.waiting.splice(0) : [this.waiting.shift() as Uint8Array];
      if (!this.streaming) this.credits--;
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      if (!(await this.io.send(joinLines(batch)))) {
        this.sending = false;
        this.close();
        return;
      }
    }
    this.sending = false;
    if (this.waiting.length > 0 && !this.cancelTimer) {
      // Lines wait for a prompt that may never come: past promptWaitMs, stop waiting for it.
      this.cancelTimer = this.io.setTimer(this.promptWaitMs, () => {
        this.cancelTimer = undefined;
        this.streaming = true;
        this.pump();
      });
    }
    if (this.waiting.length === 0) for (const wake of this.idle.splice(0)) wake();
  }
}

function joinLines(lines: Uint8Array[]): Uint8Array {
  if (lines.length === 1) return lines[0] as Uint8Array;
  const out = new Uint8Array(lines.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of lines) {
    out.set(l, at);
    at += l.length;
  }
  return out;
}
