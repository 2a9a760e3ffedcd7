// The wire text of our guessing-game server (French, the lab's language). Every line the
// server sends starts with a fixed keyword so that a program can parse it; docs/protocol.md
// documents the dialogue. Keep the two in step.

/** The game's TCP port (the lab's echo server is on 2003). */
export const GUESS_PORT = 2004;

/** Largest maximum a client may ask for; a binary search then needs at most 3,322 guesses. */
export const MAX_LIMIT = 10n ** 1000n;
export const MAX_LIMIT_TEXT = "10^1000";
/** Longest input line (bytes, line end excluded): room for the 1001 digits of MAX_LIMIT. */
export const MAX_LINE_BYTES = 2048;

/** The first word of every server line. */
export const KEYWORDS = {
  welcome: "bienvenue",
  askMax: "maximum",
  askGuess: "nombre",
  plus: "plus",
  moins: "moins",
  won: "gagné",
  error: "erreur",
  idle: "délai",
  shutdown: "arrêt",
  full: "complet",
  hello: "bonjour",
  lost: "perdu",
} as const;

// The hint and error lines avoid the words "plus" and "moins" except as their keyword, so a
// naive client that searches a line for "plus" is not fooled by a "moins" line.
export const wire = {
  welcome: (): string => "bienvenue au jeu du nombre secret",
  /** The greeting when the teacher fixed the maximum (--max): the range, and the guess limit. */
  welcomeFixed: (max: bigint, maxGuesses?: number): string =>
    `bienvenue au jeu du nombre secret : un entier de 1 à ${max}${maxGuesses === undefined ? "" : wire.limit(maxGuesses)}`,
  /** Added to the greeting under --max-guesses. */
  limit: (maxGuesses: number): string =>
    `, ${maxGuesses} ${maxGuesses === 1 ? "coup permis" : "coups permis"}`,
  hello: (name: string): string => `bonjour ${name}`,
  lost: (guesses: number, secret: bigint): string =>
    `perdu : ${guesses} ${guesses === 1 ? "coup" : "coups"} sans trouver, le nombre secret était ${secret}`,
  askMax: (): string => `maximum ? donnez le nombre maximum, un entier de 1 à ${MAX_LIMIT_TEXT}`,
  askGuess: (max: bigint): string => `nombre ? proposez un entier de 1 à ${max}`,
  plus: (guess: bigint): string => `plus : le nombre secret est supérieur à ${guess}`,
  moins: (guess: bigint): string => `moins : le nombre secret est inférieur à ${guess}`,
  won: (guesses: number, secret: bigint): string =>
    `gagné en ${guesses} ${guesses === 1 ? "coup" : "coups"} : le nombre secret était ${secret}`,
  // Long numbers are cut: the maximum is said in full once, by the question that follows.
  error: (problem: string, expected: string): string =>
    `erreur : ${cutLongNumbers(problem)} ; attendu : ${cutLongNumbers(expected)}`,
  idle: (seconds: number): string =>
    `délai dépassé : aucune réponse depuis ${seconds} s, fin de la partie`,
  shutdown: (): string => "arrêt du serveur : partie interrompue, au revoir",
  full: (max: number): string =>
    `complet : le serveur a déjà ${max} ${max === 1 ? "partie" : "parties"} en cours, revenez dans un moment`,
};

/** Numbers longer than this are cut in an `erreur` line. */
const LONG_NUMBER = /\d{25,}/g;

/**
 * An `erreur` line stays short whatever the maximum: with a 1001-digit maximum in every error,
 * a client sending 2-byte lines drew ~2.1 KB of reply per line (20 such clients: 7.6 GB).
 */
export function cutLongNumbers(text: string): string {
  return text.replace(LONG_NUMBER, (digits) => `${digits.slice(0, 8)}…(${digits.length} chiffres)`);
}

export type NumberParse =
  | { ok: true; value: bigint }
  | { ok: false; problem: "empty" | "negative" | "not-a-number" | "too-long" };

/** Longest digit string we convert to a BigInt (a guard, far above MAX_LIMIT's 1001 digits). */
const MAX_DIGITS = MAX_LINE_BYTES;

/**
 * A whole number typed by a player: optional spaces around, optional "+", ASCII digits.
 * Zero and range checks belong to the caller, who knows what it asked for.
 */
export function parseNumber(text: string): NumberParse {
  const t = text.trim();
  if (t === "") return { ok: false, problem: "empty" };
  if (/^-\s*\d+$/.test(t)) return { ok: false, problem: "negative" };
  const m = /^\+?(\d+)$/.exec(t);
  if (!m) return { ok: false, problem: "not-a-number" };
  const digits = m[1] as string;
  if (digits.length > MAX_DIGITS) return { ok: false, problem: "too-long" };
  return { ok: true, value: BigInt(digits) };
}

/** A number for a log line: short ones as is, long ones as their first digits and length. */
export function shortNumber(n: bigint): string {
  const s = n.toString();
  return s.length <= 24 ? s : `${s.slice(0, 8)}…(${s.length} digits)`;
}

/** Quote a player's input in an error line, cut to a readable length. */
export function quoteInput(text: string): string {
  const t = text.trim();
  return `« ${t.length > 40 ? `${t.slice(0, 40)}…` : t} »`;
}
