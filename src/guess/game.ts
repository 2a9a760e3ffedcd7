// One game as a pure state machine: the server feeds it the player's lines and sends back
// what it returns. No sockets and no clocks here, so every dialogue is unit-tested directly.

import { isNameCommand, NAME_EXPECTED, parseName } from "./names.ts";
import {
  MAX_LIMIT,
  MAX_LIMIT_TEXT,
  MAX_LINE_BYTES,
  type NumberParse,
  parseNumber,
  quoteInput,
  wire,
} from "./protocol.ts";
import { randomSecret } from "./random.ts";

export type Phase = "max" | "guess" | "won" | "lost";

/** What a teacher may fix for every game (tp-guess server --max, --max-guesses). */
export interface GameRules {
  /** The maximum is this: the server does not ask, its greeting states the range. */
  fixedMax?: bigint;
  /** After this many valid guesses without the secret, the game is lost. */
  maxGuesses?: number;
}

export interface Reply {
  /** Lines to send, without line ends. */
  lines: string[];
  /** True once the game is over: send the lines, then close. */
  done: boolean;
}

const PROBLEMS: Record<Exclude<NumberParse, { ok: true }>["problem"], string> = {
  empty: "ligne vide",
  negative: "nombre négatif",
  "not-a-number": "ce n'est pas un nombre entier",
  "too-long": "nombre trop long",
};

export class Game {
  phase: Phase = "max";
  max: bigint | undefined;
  guesses = 0;
  /** Lines rejected with an `erreur` line. */
  errors = 0;
  /** Set by `nom NAME`; a scoreboard shows the address instead until then. */
  name: string | undefined;
  /** The interval the secret may still be in, from the hints given (for the scoreboard). */
  lo = 1n;
  hi = 0n;
  private secret: bigint | undefined;

  constructor(
    private readonly pickSecret: (max: bigint) => bigint = randomSecret,
    private readonly rules: GameRules = {},
  ) {}

  /** What the server says as soon as a player connects. */
  start(): string[] {
    const { fixedMax, maxGuesses } = this.rules;
    if (fixedMax === undefined) {
      const welcome = wire.welcome() + (maxGuesses === undefined ? "" : wire.limit(maxGuesses));
      return [welcome, wire.askMax()];
    }
    this.setMax(fixedMax);
    return [wire.welcomeFixed(fixedMax, maxGuesses), wire.askGuess(fixedMax)];
  }

  /** The game is over (won or lost). */
  get over(): boolean {
    return this.phase === "won" || this.phase === "lost";
  }

  /** The secret, once the maximum is known (for logs and tests). */
  get secretNumber(): bigint | undefined {
    return this.secret;
  }

  /** One line from the player, line end removed. */
  input(line: string): Reply {
    if (this.over) return { lines: [], done: true };
    if (isNameCommand(line)) return this.onName(line);
    const parsed = parseNumber(line);
    return this.phase === "max" ? this.onMax(line, parsed) : this.onGuess(line, parsed);
  }

  /** The player sent a line longer than MAX_LINE_BYTES: it was dropped unread. */
  lineTooLong(): Reply {
    return this.reject(`ligne trop longue (au-delà de ${MAX_LINE_BYTES} octets)`);
  }

  private expected(): string {
    return this.phase === "max"
      ? `le maximum, un entier de 1 à ${MAX_LIMIT_TEXT}`
      : `un entier de 1 à ${this.max}`;
  }

  private reject(problem: string, expected = this.expected()): Reply {
    this.errors++;
    return { lines: [wire.error(problem, expected), this.prompt()], done: false };
  }

  private prompt(): string {
    return this.phase === "max" ? wire.askMax() : wire.askGuess(this.max as bigint);
  }

  private onMax(line: string, parsed: NumberParse): Reply {
    if (!parsed.ok) return this.reject(describe(line, parsed));
    const max = parsed.value;
    if (max === 0n) return this.reject("0 n'est pas un maximum valide");
    if (max > MAX_LIMIT) return this.reject(`maximum trop grand (limite ${MAX_LIMIT_TEXT})`);
    this.setMax(max);
    return { lines: [wire.askGuess(max)], done: false };
  }

  private setMax(max: bigint): void {
    this.max = max;
    this.hi = max;
    this.secret = this.pickSecret(max);
    if (this.secret < 1n || this.secret > max) throw new RangeError("secret outside 1..max");
    this.phase = "guess";
  }

  /** `nom NAME` at any prompt: greet by name and ask the same question again. */
  private onName(line: string): Reply {
    const parsed = parseName(line);
    if (!parsed.ok) return this.reject(parsed.problem, NAME_EXPECTED);
    this.name = parsed.name;
    return { lines: [wire.hello(parsed.name), this.prompt()], done: false };
  }

  private onGuess(line: string, parsed: NumberParse): Reply {
    if (!parsed.ok) return this.reject(describe(line, parsed));
    const guess = parsed.value;
    const max = this.max as bigint;
    if (guess < 1n || guess > max)
      return this.reject(`${guess} est hors de l'intervalle 1..${max}`);
    this.guesses++;
    const secret = this.secret as bigint;
    if (guess === secret) {
      this.phase = "won";
      this.lo = secret;
      this.hi = secret;
      return { lines: [wire.won(this.guesses, secret)], done: true };
    }
    if (guess < secret) this.lo = guess + 1n;
    else this.hi = guess - 1n;
    if (this.guesses === this.rules.maxGuesses) {
      this.phase = "lost";
      return { lines: [wire.lost(this.guesses, secret)], done: true };
    }
    const hint = guess < secret ? wire.plus(guess) : wire.moins(guess);
    return { lines: [hint, wire.askGuess(max)], done: false };
  }
}

function describe(line: string, parsed: Exclude<NumberParse, { ok: true }>): string {
  const what = PROBLEMS[parsed.problem];
  return parsed.problem === "empty" || parsed.problem === "too-long"
    ? what
    : `${quoteInput(line)} : ${what}`;
}
