// The bot's side of one game as a pure state machine: messages from the server in, what to
// send out. Lock-step: at most one line of ours is ever waiting for the server, so even a
// classmate's server that reads with a bare recv() never gets two lines glued together.

import { plural } from "../shared/plural.ts";
import { asksForMax, classify, looksLikePrompt, statedRange } from "./hints.ts";
import { bitLength } from "./random.ts";

export type BotState = "start" | "naming" | "sent-max" | "guessing" | "won" | "failed";

export interface Step {
  /** A line to send (without line end). */
  send?: string;
  /** The game is over and won. */
  won?: true;
  /** The game is over and lost: why, in one line. */
  fail?: string;
}

/** Unclassified messages tolerated after a guess before the bot calls the server nonsense. */
const MAX_CHATTER = 20;

/** Most guesses a binary search needs for 1..max: floor(log2 max) + 1. */
export function guessBound(max: bigint): number {
  return bitLength(max);
}

function quote(text: string): string {
  const t = text.trim();
  return JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}…` : t);
}

export interface BotSessionOptions {
  /** Sent with `nom NAME` before the game, when the server first asks something. */
  name?: string;
}

export class BotSession {
  state: BotState = "start";
  lo = 1n;
  hi: bigint;
  /** Ours (--max), or the one the server fixed and stated; undefined until known. */
  max: bigint | undefined;
  /** The server stated the range itself (tp-guess server --max): it does not ask for one. */
  fixedByServer = false;
  private named = false;
  guesses = 0;
  last: bigint | undefined;
  /** The game ended by the server closing after a guess, without a win word. */
  closedAsEnd = false;
  private chatter = 0;
  private lastText = "";

  constructor(
    max: bigint | undefined,
    private readonly opts: BotSessionOptions = {},
  ) {
    if (max !== undefined && max < 1n) throw new RangeError("max must be at least 1");
    this.max = max;
    this.hi = max ?? 0n;
  }

  get bound(): number {
    return this.max === undefined ? 0 : guessBound(this.max);
  }

  /** A line from the server, or a prompt that came without a line end. */
  onMessage(text: string): Step {
    if (text.trim() === "" || this.state === "won" || this.state === "failed") return {};
    this.lastText = text;
    // Our `nom` line is answered by `bonjour NAME`, then the question again. Checked before
    // the hints: the name is the player's text and may hold any word ("bonjour Erreur").
    if (this.state === "naming" && /^\s*bonjour\b/i.test(text)) {
      this.state = "start";
      return {};
    }
    const meaning = classify(text);
    if (meaning === "error") return this.fail(`the server refused: ${quote(text)}`);
    if (meaning === "lost") return this.fail(`lost: ${quote(text)}`);
    switch (this.state) {
      case "start":
        return this.onStart(text);
      case "naming":
        return {};
      case "sent-max":
        // A question about the maximum is one we answered early (we took a banner ending in
        // ":" for a prompt): our line is already on its way, so wait. Anything else (a
        // prompt, "OK", a rule reminder) means the game is on.
        return asksForMax(text) ? {} : this.sendGuess();
      default:
        return this.onAnswer(meaning);
    }
  }

  /** Nothing came for a short while: the server may be waiting for us without asking. */
  onQuiet(): Step {
    if (this.state === "start") return this.fixedByServer ? this.sendGuess() : this.sendMax();
    if (this.state === "sent-max") return this.sendGuess();
    return {};
  }

  /** The server closed the connection. */
  onClose(): Step {
    if (this.state === "won" || this.state === "failed") return {};
    if (this.state === "guessing") {
      // The lab's server just hangs up once the number is found.
      this.closedAsEnd = true;
      this.state = "won";
      return { won: true };
    }
    return this.fail("the server closed the connection before the game started");
  }

  /** Why the bot is still waiting, for a timeout message. */
  waitingFor(): string {
    const last = this.lastText ? `; last line received: ${quote(this.lastText)}` : "";
    switch (this.state) {
      case "start":
        return `the game to start${last}`;
      case "naming":
        return `an answer to our name${last}`;
      case "sent-max":
        return `an answer to the maximum ${this.max}${last}`;
      default:
        return `a hint after guess ${this.last}${last}`;
    }
  }

  private onAnswer(meaning: ReturnType<typeof classify>): Step {
    const guess = this.last as bigint;
    if (meaning === "win") {
      this.state = "won";
      return { won: true };
    }
    if (meaning === "plus") this.lo = guess + 1n;
    else if (meaning === "moins") this.hi = guess - 1n;
    else {
      if (++this.chatter > MAX_CHATTER) {
        return this.fail(
          `no plus/moins/win in the server's answers to guess ${guess}; last: ${quote(this.lastText)}`,
        );
      }
      return {};
    }
    if (this.lo > this.hi) {
      return this.fail(
        `inconsistent hints: nothing left between 1 and ${this.max} (last: ${quote(this.lastText)} after ${guess})`,
      );
    }
    return this.sendGuess();
  }

  /**
   * Before the game: a question about the maximum gets ours; a stated range ("un entier de 1
   * à 1000") is the server's fixed maximum, and its next question wants a guess. A name goes
   * first, at the first question.
   */
  private onStart(text: string): Step {
    const asks = asksForMax(text);
    const range = asks ? undefined : statedRange(text);
    if (range !== undefined && range >= 1n) {
      this.max = range;
      this.hi = range;
      this.fixedByServer = true;
    }
    const question = asks || looksLikePrompt(text) || (this.fixedByServer && text.includes("?"));
    if (!question) return {};
    if (this.opts.name !== undefined && !this.named) {
      this.named = true;
      this.state = "naming";
      return { send: `nom ${this.opts.name}` };
    }
    return this.fixedByServer ? this.sendGuess() : this.sendMax();
  }

  private sendMax(): Step {
    if (this.max === undefined) {
      return this.fail("the server asks for the maximum and states no range: give --max");
    }
    this.state = "sent-max";
    return { send: this.max.toString() };
  }

  private sendGuess(): Step {
    if (this.guesses >= this.bound) {
      return this.fail(
        `still no win after ${plural(this.guesses, "guess", "guesses")}, the most binary search needs`,
      );
    }
    this.state = "guessing";
    this.chatter = 0;
    const guess = (this.lo + this.hi) / 2n;
    this.last = guess;
    this.guesses++;
    return { send: guess.toString() };
  }

  private fail(why: string): Step {
    this.state = "failed";
    return { fail: why };
  }
}
