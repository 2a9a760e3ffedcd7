// Player names (`nom NAME`): user input that ends up in logs, JSON and a web page, so it is
// checked here once. Pure: a line in, a name or the reason it is refused out.

/** Longest name, in characters (code points): fits a scoreboard column on a projector. */
export const MAX_NAME_CHARS = 32;

/** The command word a client sends to name itself, at any prompt. */
export const NAME_COMMAND = "nom";

import { UsageError } from "../shared/errors.ts";

/** The `attendu` part of an `erreur` line about a name. */
export const NAME_EXPECTED = `nom NOM, de 1 à ${MAX_NAME_CHARS} caractères imprimables`;

export type NameParse = { ok: true; name: string } | { ok: false; problem: string };

/** True when `line` is a `nom ...` command (the word alone, or followed by a space). */
export function isNameCommand(line: string): boolean {
  const t = line.trimStart();
  return (
    t === NAME_COMMAND || t.startsWith(`${NAME_COMMAND} `) || t.startsWith(`${NAME_COMMAND}\t`)
  );
}

/**
 * Characters that draw nothing: Default_Ignorable_Code_Point (Hangul fillers U+115F U+1160
 * U+3164 U+FFA0, variation selectors, U+034F, U+17B4...), combining marks on their own,
 * spaces, and the braille blank U+2800. A name made only of these shows blank on the page.
 */
const BLANK = /[\p{Default_Ignorable_Code_Point}\p{M}\p{White_Space}\u2800]/gu;
/** Hidden in a name, these would make two names that look alike (or one that looks empty). */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
/** Line and paragraph separators (U+2028, U+2029): they break a line on the page. */
const SEPARATOR = /[\p{Zl}\p{Zp}]/u;
/**
 * More combining marks than this on one letter stack above and below the line (over the rows
 * around it on the page). NFC leaves at most 2 in French or Vietnamese; Thai and Hindi use 2.
 */
const MAX_STACKED_MARKS = 3;
const STACKED = new RegExp(`\\p{M}{${MAX_STACKED_MARKS + 1},}`, "u");

/**
 * The name in a `nom NAME` line: spaces around it dropped, NFC-normalized (so "é" typed two
 * ways is one name), 1 to 32 printable characters that show. Control, format and unassigned
 * code points (\p{C}) are refused: they could move a terminal cursor or hide text on the page;
 * so are ignorable ones, line separators, stacked accents, and names that would show blank.
 */
export function parseName(line: string): NameParse {
  const name = line.trim().slice(NAME_COMMAND.length).trim().normalize("NFC");
  if (name === "") return { ok: false, problem: "nom vide" };
  if (/\p{C}/u.test(name) || SEPARATOR.test(name))
    return { ok: false, problem: "caractère non imprimable dans le nom" };
  if ([...name].length > MAX_NAME_CHARS) return { ok: false, problem: "nom trop long" };
  if (name.replace(BLANK, "") === "") return { ok: false, problem: "nom invisible" };
  if (IGNORABLE.test(name)) return { ok: false, problem: "caractère invisible dans le nom" };
  if (STACKED.test(name)) return { ok: false, problem: "trop d'accents empilés dans le nom" };
  return { ok: true, name };
}

/** --name for bot and play: checked here, so a bad name is a usage error, not a lost game. */
export function checkName(text: string): string {
  const parsed = parseName(`${NAME_COMMAND} ${text}`);
  if (!parsed.ok) {
    throw new UsageError(
      `--name must be 1 to ${MAX_NAME_CHARS} printable characters (no tabs or control characters)`,
    );
  }
  return parsed.name;
}
