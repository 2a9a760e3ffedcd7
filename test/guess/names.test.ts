// Names, the teacher's rules and the fixed range, on the pure state machines: the server's
// Game and the bot's BotSession, played against each other without a network.
import { describe, expect, test } from "bun:test";
import { BotSession } from "../../src/guess/bot-session.ts";
import { Game, type GameRules } from "../../src/guess/game.ts";
import { classify, statedRange } from "../../src/guess/hints.ts";
import { MAX_NAME_CHARS, parseName } from "../../src/guess/names.ts";
import { escapeInvisible } from "../../src/shared/log.ts";

describe("parseName", () => {
  test("1 to 32 printable characters, UTF-8 letters welcome, spaces around dropped", () => {
    expect(parseName("nom Zoé")).toEqual({ ok: true, name: "Zoé" });
    expect(parseName("  nom   李小龍 <script>  ")).toEqual({ ok: true, name: "李小龍 <script>" });
    const longest = "é".repeat(MAX_NAME_CHARS);
    expect(parseName(`nom ${longest}`)).toEqual({ ok: true, name: longest });
  });
  test("NFC: an e and a combining accent is the same name as é", () => {
    expect(parseName("nom Zoe\u0301")).toEqual({ ok: true, name: "Zoé" });
  });
  test("empty, too long, control or invisible characters are refused", () => {
    expect(parseName("nom")).toMatchObject({ ok: false, problem: "nom vide" });
    expect(parseName("nom    ")).toMatchObject({ ok: false });
    expect(parseName(`nom ${"a".repeat(MAX_NAME_CHARS + 1)}`)).toMatchObject({ ok: false });
    for (const bad of ["a\tb", "a\u0007", "a\u001b[2J", "a\u200bb", "a\u202eb"]) {
      expect(parseName(`nom ${bad}`)).toMatchObject({ ok: false });
    }
  });
  test("names that would show blank are refused (issue 23's list)", () => {
    const blank = {
      "Hangul filler U+3164": "\u3164",
      "U+115F + U+1160": "\u115f\u1160",
      "halfwidth filler U+FFA0": "\uffa0",
      "variation selectors": "\ufe0f\ufe0e",
      "combining grapheme joiner": "\u034f",
      "stacked accents alone": "\u0301\u0301\u0301",
      "braille blank U+2800": "\u2800\u2800",
      "Khmer U+17B4": "\u17b4",
      "no-break and ideographic spaces": "\u00a0\u3000",
    };
    for (const [what, text] of Object.entries(blank)) {
      const parsed = parseName(`nom ${text}`);
      expect({ what, parsed }).toMatchObject({ what, parsed: { ok: false } });
    }
  });
  test("hidden and stacking characters inside a visible name are refused too", () => {
    for (const bad of [
      "An\u2028a",
      "A\u2029na",
      "An\u3164a",
      "A\ufe0fna",
      "Zalgo\u0301\u0302\u0303\u0304\u0305",
    ]) {
      expect(parseName(`nom ${bad}`)).toMatchObject({ ok: false });
    }
    // Two marks on a letter (Vietnamese, Thai) are writing, not an attack.
    expect(parseName("nom Nguyễn Văn An")).toMatchObject({ ok: true });
    expect(parseName("nom ที่ รัก")).toMatchObject({ ok: true });
    expect(parseName("nom q\u0323\u0302")).toMatchObject({ ok: true });
  });
});

describe("the log's escapes", () => {
  test("Default_Ignorable_Code_Point, Cf and the braille blank come out escaped", () => {
    const raw = "a\ufe0fb\u034fc\u115fd\u3164e\u17b4f\u2800g\u200dh\u00adi\u061cj";
    expect(escapeInvisible(raw)).toBe(
      "a\\u{fe0f}b\\u{034f}c\\u{115f}d\\u{3164}e\\u{17b4}f\\u{2800}g\\u{200d}h\\xadi\\u{061c}j",
    );
    expect(escapeInvisible("Zoé 李小龍 🦊 é")).toBe("Zoé 李小龍 🦊 é");
  });
});

const fixed = (n: bigint) => () => n;

describe("Game: nom at any prompt", () => {
  test("at the maximum question: bonjour, the same question again, no error counted", () => {
    const game = new Game(fixed(3n));
    const [, ask] = game.start();
    expect(game.input("nom Zoé")).toEqual({ lines: ["bonjour Zoé", ask as string], done: false });
    expect(game.name).toBe("Zoé");
    expect(game.errors).toBe(0);
  });
  test("during the guesses, and again to change it", () => {
    const game = new Game(fixed(3n));
    game.start();
    game.input("10");
    expect(game.input("nom A").lines).toEqual([
      "bonjour A",
      "nombre ? proposez un entier de 1 à 10",
    ]);
    expect(game.input("nom B").lines[0]).toBe("bonjour B");
    expect(game.name).toBe("B");
    expect(game.input("3").lines[0]).toMatch(/^gagné en 1 coup /);
  });
  test("a bad name is an erreur line and the question again; the name stays", () => {
    const game = new Game(fixed(3n));
    game.start();
    game.input("nom Léa");
    const reply = game.input(`nom ${"x".repeat(40)}`);
    expect(reply.lines[0]).toBe(
      "erreur : nom trop long ; attendu : nom NOM, de 1 à 32 caractères imprimables",
    );
    expect(reply.lines[1]).toMatch(/^maximum \?/);
    expect(game.errors).toBe(1);
    expect(game.name).toBe("Léa");
  });
  test("a word starting with nom is no name command", () => {
    const game = new Game(fixed(3n));
    game.start();
    expect(game.input("nombre").lines[0]).toMatch(/^erreur : « nombre »/);
  });
});

describe("Game: the teacher's rules", () => {
  test("without rules the greeting is the lab's", () => {
    expect(new Game(fixed(1n)).start()).toEqual([
      "bienvenue au jeu du nombre secret",
      "maximum ? donnez le nombre maximum, un entier de 1 à 10^1000",
    ]);
  });
  test("--max: no question, the greeting states the range, guesses at once", () => {
    const game = new Game(fixed(40n), { fixedMax: 100n });
    expect(game.start()).toEqual([
      "bienvenue au jeu du nombre secret : un entier de 1 à 100",
      "nombre ? proposez un entier de 1 à 100",
    ]);
    expect(game.input("50").lines[0]).toBe("moins : le nombre secret est inférieur à 50");
    expect([game.lo, game.hi]).toEqual([1n, 49n]);
  });
  test("--max-guesses: the Nth wrong guess is a perdu line with the secret, then done", () => {
    const game = new Game(fixed(7n), { maxGuesses: 3 });
    expect(game.start()[0]).toBe("bienvenue au jeu du nombre secret, 3 coups permis");
    game.input("10");
    expect(game.input("1").done).toBe(false);
    expect(game.input("abc").done).toBe(false); // an invalid line is no guess
    expect(game.input("2").done).toBe(false);
    expect(game.input("3")).toEqual({
      lines: ["perdu : 3 coups sans trouver, le nombre secret était 7"],
      done: true,
    });
    expect(game.phase).toBe("lost");
  });
  test("--max-guesses: a win on the last allowed guess is a win", () => {
    const game = new Game(fixed(2n), { maxGuesses: 2 });
    game.start();
    game.input("10");
    game.input("1");
    expect(game.input("2").lines[0]).toMatch(/^gagné en 2 coups/);
  });
});

/** Play BotSession against Game in memory; returns the bot's lines and the end. */
function botAgainstGame(rules: GameRules, secret: bigint, max?: bigint, name?: string) {
  const game = new Game(fixed(secret), rules);
  const bot = new BotSession(max, { name });
  const sent: string[] = [];
  let inbox = game.start();
  for (let turn = 0; turn < 100; turn++) {
    const out: string[] = [];
    for (const line of inbox) {
      const step = bot.onMessage(line);
      if (step.send !== undefined) out.push(step.send);
      if (step.won || step.fail) return { sent, step, bot, game };
    }
    sent.push(...out);
    inbox = out.flatMap((l) => game.input(l).lines);
  }
  throw new Error("no end in 100 turns");
}

describe("BotSession with our additions", () => {
  test("--name: nom first, then the lab's dialogue", () => {
    const { sent, step, game } = botAgainstGame({}, 77n, 100n, "Robot Zoé");
    expect(step.won).toBe(true);
    expect(sent.slice(0, 3)).toEqual(["nom Robot Zoé", "100", "50"]);
    expect(game.name).toBe("Robot Zoé");
  });
  test("a fixed maximum is read from the server: no --max needed, it overrides ours", () => {
    for (const ours of [undefined, 5n]) {
      const { sent, step, bot } = botAgainstGame({ fixedMax: 1000n }, 999n, ours, "B");
      expect(step.won).toBe(true);
      expect(bot.max).toBe(1000n);
      expect(sent.slice(0, 2)).toEqual(["nom B", "500"]);
    }
  });
  test("a name made of hint words does not fool the bot", () => {
    for (const name of ["Erreur", "plus moins", "gagné"]) {
      const { step, sent } = botAgainstGame({}, 3n, 10n, name);
      expect(step.won).toBe(true);
      expect(sent[0]).toBe(`nom ${name}`);
    }
  });
  test("a perdu line is a lost game", () => {
    const { step } = botAgainstGame({ fixedMax: 1000n, maxGuesses: 2 }, 999n);
    expect(step.fail).toMatch(/^lost: "perdu : 2 coups/);
  });
  test("no --max and a server that asks: a clear failure", () => {
    const { step } = botAgainstGame({}, 1n);
    expect(step.fail).toMatch(/give --max/);
  });
  test("statedRange and classify", () => {
    expect(statedRange("un entier de 1 à 1000")).toBe(1000n);
    expect(statedRange("Guess a number between 1 and 64:")).toBe(64n);
    expect(statedRange("un entier de 1 à 10^1000")).toBeUndefined();
    expect(statedRange("bienvenue au jeu du nombre secret, 10 coups permis")).toBeUndefined();
    expect(classify("perdu : 3 coups sans trouver, le nombre secret était 7")).toBe("lost");
    expect(classify("bonjour Zoé")).toBe("other");
  });
});
