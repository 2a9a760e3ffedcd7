import { describe, expect, test } from "bun:test";
import { Game } from "../../src/guess/game.ts";
import { KEYWORDS, MAX_LIMIT, parseNumber, wire } from "../../src/guess/protocol.ts";

const fixed = (secret: bigint) => () => secret;

/** Every line starts with one of the documented keywords. */
function expectKeywords(lines: string[]): void {
  const words = Object.values(KEYWORDS) as string[];
  for (const line of lines) expect(words).toContain(line.split(" ")[0] as string);
}

describe("Game", () => {
  test("the whole dialogue: welcome, maximum, plus, moins, won with the guess count", () => {
    const game = new Game(fixed(42n));
    const start = game.start();
    expect(start).toEqual([wire.welcome(), wire.askMax()]);
    let r = game.input("100");
    expect(r).toEqual({ lines: ["nombre ? proposez un entier de 1 à 100"], done: false });
    r = game.input("50");
    expect(r.lines).toEqual(["moins : le nombre secret est inférieur à 50", wire.askGuess(100n)]);
    r = game.input("  25\r");
    expect(r.lines[0]).toBe("plus : le nombre secret est supérieur à 25");
    r = game.input("+42");
    expect(r).toEqual({ lines: ["gagné en 3 coups : le nombre secret était 42"], done: true });
    expect(game.phase).toBe("won");
    expect(game.guesses).toBe(3);
    expect(game.input("1")).toEqual({ lines: [], done: true });
    expectKeywords([...start]);
  });

  test("one guess says 'coup', and max 1 is a game too", () => {
    const game = new Game();
    game.input("1");
    expect(game.input("1")).toEqual({
      lines: ["gagné en 1 coup : le nombre secret était 1"],
      done: true,
    });
  });

  const badMax: Array<[string, RegExp]> = [
    ["abc", /« abc » : ce n'est pas un nombre entier/],
    ["-5", /« -5 » : nombre négatif/],
    ["0", /0 n'est pas un maximum valide/],
    ["", /ligne vide/],
    ["   ", /ligne vide/],
    ["12abc", /pas un nombre entier/],
    ["1.5", /pas un nombre entier/],
    [(MAX_LIMIT + 1n).toString(), /maximum trop grand \(limite 10\^1000\)/],
    ["9".repeat(3000), /nombre trop long/],
  ];
  for (const [input, problem] of badMax) {
    test(`bad maximum ${JSON.stringify(input.slice(0, 12))} -> erreur and the question again`, () => {
      const game = new Game(fixed(1n));
      const r = game.input(input);
      expect(r.done).toBe(false);
      expect(r.lines).toHaveLength(2);
      expect(r.lines[0]).toMatch(/^erreur : /);
      expect(r.lines[0]).toMatch(problem);
      expect(r.lines[0]).toContain("attendu : le maximum, un entier de 1 à 10^1000");
      expect(r.lines[1]).toBe(wire.askMax());
      expect(game.phase).toBe("max");
      expect(game.errors).toBe(1);
    });
  }

  test("the limit itself is accepted", () => {
    const game = new Game(fixed(MAX_LIMIT));
    expect(game.input(MAX_LIMIT.toString()).lines[0]).toBe(wire.askGuess(MAX_LIMIT));
    expect(game.input(MAX_LIMIT.toString()).done).toBe(true);
  });

  const badGuess: Array<[string, RegExp]> = [
    ["abc", /pas un nombre entier/],
    ["-3", /nombre négatif/],
    ["0", /0 est hors de l'intervalle 1\.\.10/],
    ["11", /11 est hors de l'intervalle 1\.\.10/],
    ["", /ligne vide/],
    ["5 6", /pas un nombre entier/],
  ];
  for (const [input, problem] of badGuess) {
    test(`bad guess ${JSON.stringify(input)} -> erreur, the prompt again, not counted`, () => {
      const game = new Game(fixed(7n));
      game.input("10");
      const r = game.input(input);
      expect(r.done).toBe(false);
      expect(r.lines[0]).toMatch(problem);
      expect(r.lines[0]).toContain("attendu : un entier de 1 à 10");
      expect(r.lines[1]).toBe(wire.askGuess(10n));
      expect(game.guesses).toBe(0);
      expect(game.input("7").lines[0]).toBe("gagné en 1 coup : le nombre secret était 7");
    });
  }

  test("an over-long line gets an erreur and the current prompt, in both phases", () => {
    const game = new Game(fixed(3n));
    let r = game.lineTooLong();
    expect(r.lines[0]).toMatch(/^erreur : ligne trop longue \(au-delà de 2048 octets\)/);
    expect(r.lines[1]).toBe(wire.askMax());
    game.input("5");
    r = game.lineTooLong();
    expect(r.lines[1]).toBe(wire.askGuess(5n));
    expect(r.done).toBe(false);
  });

  test("hint and error lines never contain the other hint word (naive clients grep them)", () => {
    const game = new Game(fixed(500n));
    game.input("1000");
    const lines = [
      ...game.input("900").lines,
      ...game.input("100").lines,
      ...game.input("x").lines,
      ...game.input("0").lines,
      ...game.lineTooLong().lines,
    ];
    expectKeywords(lines);
    for (const l of lines.filter((l) => !l.startsWith("plus"))) expect(l).not.toMatch(/\bplus\b/);
    for (const l of lines.filter((l) => !l.startsWith("moins"))) expect(l).not.toMatch(/\bmoins\b/);
  });
});

describe("parseNumber", () => {
  test("accepts digits with spaces and +, rejects the rest with a reason", () => {
    expect(parseNumber(" 0042 ")).toEqual({ ok: true, value: 42n });
    expect(parseNumber("+7")).toEqual({ ok: true, value: 7n });
    expect(parseNumber("- 7")).toEqual({ ok: false, problem: "negative" });
    expect(parseNumber("1e6")).toEqual({ ok: false, problem: "not-a-number" });
    expect(parseNumber("٣")).toEqual({ ok: false, problem: "not-a-number" });
    expect(parseNumber("")).toEqual({ ok: false, problem: "empty" });
  });
});
