// Reading a guessing server's text, ours or a classmate's, in French or English. Pure: one
// message in, what it means out. The bot decides what to do with it (bot-session.ts).

/**
 * - `plus`: the secret is greater than the last guess; `moins`: it is smaller.
 * - `win`: the number was found. `lost`: out of guesses. `error`: the server refused something or gave up on us.
 * - `other`: banners, prompts, chatter.
 */
export type Meaning = "plus" | "moins" | "win" | "lost" | "error" | "other";

/** Lower case, accents removed, apostrophes unified: "Gagné !" -> "gagne !". */
export function normalize(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[’`]/g, "'")
    .toLowerCase();
}

// Phrases where plus/moins mean "at most"/"at least", not a hint: removed before matching.
const NEUTRAL = [/\bau (plus|moins)\b/g, /\bde plus\b/g, /\bnon plus\b/g, /\bn'(?:\S+ )?plus\b/g];

/**
 * First matching rule wins, so phrases come before the single words they contain
 * ("plus petit" is a `moins`). Wording relative to the guess ("trop petit": your number is
 * too small) and to the secret ("c'est plus": the secret is greater) both map to what the
 * secret is compared with the guess.
 */
export const RULES: ReadonlyArray<readonly [RegExp, Meaning]> = [
  // Refusals first: an error line may quote numbers or words that look like hints.
  [
    /\berreur\b|\berror\b|\binvalide?\b|\bdelai depasse\b|\btime ?out\b|\btimed out\b|\barret du serveur\b|\bserveur complet\b|^complet\b/,
    "error",
  ],
  // Before the hints: a `perdu` line tells the secret, and may say how the game went.
  [/^perdu\b|\byou lose\b|\byou lost\b|\bgame over\b/, "lost"],
  [/\bplus (grand|haut|eleve|gros)\b/, "plus"],
  [/\bplus (petit|bas|faible)\b/, "moins"],
  [/\btrop (petit|bas|faible)\b/, "plus"],
  [/\btrop (grand|haut|eleve|gros)\b/, "moins"],
  [/\btoo (low|small)\b/, "plus"],
  [/\btoo (high|big|large)\b/, "moins"],
  [/\b(higher|greater|bigger|larger)\b/, "plus"],
  [/\b(lower|smaller)\b/, "moins"],
  [/\bplus\b/, "plus"],
  [/\bmoins\b/, "moins"],
  [
    /\bgagne\b|\bbravo\b|\btrouve\b|\bfelicitations\b|\bcorrect\b|\bwin\b|\bwon\b|\bcongratulations\b/,
    "win",
  ],
];

/** What a server's message means to a player who just sent a guess (or nothing yet). */
export function classify(text: string): Meaning {
  let t = normalize(text);
  for (const neutral of NEUTRAL) t = t.replace(neutral, " ");
  for (const [pattern, meaning] of RULES) if (pattern.test(t)) return meaning;
  return "other";
}

const ASKS_MAX =
  /\bmax|\bborne\b|\blimite\b|\bplafond\b|\bplus grand nombre\b|\bupper\b|\bhighest\b|\blargest\b|\bbiggest\b/;

/** The server asks for the maximum (meaningful before the game has started). */
export function asksForMax(text: string): boolean {
  return ASKS_MAX.test(normalize(text));
}

/** Text without its line end looks like a prompt waiting for input: "Nombre ? ", "> ". */
export function looksLikePrompt(text: string): boolean {
  return /[?:>]\s*$/.test(text);
}

/**
 * The prompts in text without a line end, in order: "Nombre max ? Devine : " is two when the
 * second came before the first was read (a slow client reads both in one chunk; counted as one,
 * `play` waited for an answer already given). A new one starts after `?`, `:` or `>` and spaces,
 * at a capital letter ("Score : 5" stays one piece).
 */
export function promptsIn(text: string): string[] {
  if (!looksLikePrompt(text)) return [];
  return text.split(/(?<=[?:>]\s+)(?=\p{Lu})/u).filter(looksLikePrompt);
}

/**
 * The range a server states for the secret ("un entier de 1 à 1000", "between 1 and 100"):
 * its maximum, or undefined. A power such as "10^1000" is no range to play with.
 */
export function statedRange(text: string): bigint | undefined {
  const m = /\b(?:de |from |entre |between )?1 ?(?:a|et|to|and|\.\.|-) ?(\d{1,1001})(?![\d^])/.exec(
    normalize(text),
  );
  return m ? BigInt(m[1] as string) : undefined;
}
