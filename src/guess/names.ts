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
 * The name in a `nom NAME` line: spaces around it dropped, NFC-normalized (so "é" typed two
 * ways is one name), 1 to 32 printable characters. Control, format and unassigned code
 * points (\p{C}) are refused: they could move a terminal cursor or hide text on the page.
 */
export function parseName(line: string): NameParse {
  const name = line.trim().slice(NAME_COMMAND.length).trim().normalize("NFC");
  if (name === "") return { ok: false, problem: "nom vide" };
  if (/\p{C}/u.test(name)) return { ok: false, problem: "caractère non imprimable dans le nom" };
  if ([...name].length > MAX_NAME_CHARS) return { ok: false, problem: "nom trop long" };
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
