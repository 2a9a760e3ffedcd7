import { describe, expect, test } from "bun:test";
import { Game } from "../../src/guess/game.ts";
import {
  asksForMax,
  classify,
  looksLikePrompt,
  type Meaning,
  promptsIn,
} from "../../src/guess/hints.ts";
import { wire } from "../../src/guess/protocol.ts";

const cases: Array<[string, Meaning]> = [
  // ours
  [wire.plus(5n), "plus"],
  [wire.moins(5n), "moins"],
  [wire.won(3, 7n), "win"],
  [wire.error("« x » : ce n'est pas un nombre entier", "un entier de 1 à 10"), "error"],
  [wire.idle(60), "error"],
  [wire.shutdown(), "error"],
  [wire.full(4096), "error"],
  ["Serveur complet : 2 clients au maximum, réessayez plus tard.", "error"],
  [wire.askGuess(10n), "other"],
  [wire.welcome(), "other"],
  // classmates, French: relative to the secret...
  ["C'est plus !", "plus"],
  ["C'est moins !", "moins"],
  ["PLUS", "plus"],
  ["c'est plus grand", "plus"],
  ["Non, c'est plus petit...", "moins"],
  ["Le nombre est plus élevé", "plus"],
  // ...or relative to the guess
  ["Trop petit !", "plus"],
  ["Trop grand !", "moins"],
  ["trop bas", "plus"],
  ["Trop haut", "moins"],
  ["Bravo ! Trouvé en 7 coups.", "win"],
  ["Gagné !", "win"],
  ["Félicitations", "win"],
  ["Erreur : entrez un nombre plus grand que 0", "error"],
  // "au plus" / "au moins" are not hints
  ["Entrez un nombre (au plus 100) :", "other"],
  ["Il faut au moins 1 chiffre", "other"],
  ["Vous n'avez plus d'essais", "other"],
  // English
  ["higher", "plus"],
  ["Lower!", "moins"],
  ["Too low, try again", "plus"],
  ["too high", "moins"],
  ["Greater", "plus"],
  ["smaller", "moins"],
  ["Correct! You got it in 5 tries", "win"],
  ["You win!", "win"],
  ["incorrect", "other"],
  ["Invalid input", "error"],
  ["Guess a number: ", "other"],
];

describe("classify", () => {
  for (const [text, meaning] of cases) {
    test(`${JSON.stringify(text)} -> ${meaning}`, () => {
      expect(classify(text)).toBe(meaning);
    });
  }

  test("every hint our own server can send reads right", () => {
    const game = new Game(() => 500n);
    game.input("1000");
    for (let g = 1; g <= 1000; g += 37) {
      const [hint] = game.input(String(g)).lines;
      if (g === 500) continue;
      expect(classify(hint as string)).toBe(g < 500 ? "plus" : "moins");
    }
  });
});

describe("asksForMax and looksLikePrompt", () => {
  test("questions about the maximum, in either language", () => {
    for (const t of [
      wire.askMax(),
      "Nombre max ? ",
      "Quel est le plus grand nombre ?",
      "Upper bound:",
      "Borne supérieure",
    ]) {
      expect(asksForMax(t)).toBe(true);
    }
    for (const t of [wire.welcome(), wire.askGuess(10n), "Devine : ", "Hello"]) {
      expect(asksForMax(t)).toBe(false);
    }
  });

  test("two prompts read in one chunk are two; a colon inside a prompt is not a second", () => {
    expect(promptsIn("Nombre max ? Devine : ")).toEqual(["Nombre max ? ", "Devine : "]);
    expect(promptsIn("Score : 5, devine : ")).toEqual(["Score : 5, devine : "]);
    expect(promptsIn("Devine :")).toEqual(["Devine :"]);
    expect(promptsIn("C'est pl")).toEqual([]);
  });

  test("prompts end with ?, : or > (spaces allowed)", () => {
    for (const t of ["Nombre ? ", "Devine :", "> ", "Your guess?"])
      expect(looksLikePrompt(t)).toBe(true);
    for (const t of ["C'est pl", "Bienvenue", "Trop grand !"])
      expect(looksLikePrompt(t)).toBe(false);
  });
});
