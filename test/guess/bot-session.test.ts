import { describe, expect, test } from "bun:test";
import { BotSession, guessBound, type Step } from "../../src/guess/bot-session.ts";
import { Game } from "../../src/guess/game.ts";
import { randomSecret } from "../../src/guess/random.ts";

/** Play the bot against our own Game in memory; returns the guesses it needed. */
function playInMemory(max: bigint, secret: bigint): number {
  const game = new Game(() => secret);
  const bot = new BotSession(max);
  let inbox = game.start();
  for (let turns = 0; turns < 10_000; turns++) {
    let sent: string | undefined;
    for (const line of inbox) {
      const step = bot.onMessage(line);
      if (step.fail) throw new Error(step.fail);
      if (step.won) return bot.guesses;
      if (step.send !== undefined) {
        expect(sent).toBeUndefined(); // lock-step: one line at a time
        sent = step.send;
      }
    }
    if (sent === undefined) throw new Error(`bot silent after ${JSON.stringify(inbox)}`);
    const reply = game.input(sent);
    inbox = reply.lines;
  }
  throw new Error("no end");
}

describe("BotSession against our Game", () => {
  test("bound is floor(log2 max) + 1", () => {
    expect(guessBound(1n)).toBe(1);
    expect(guessBound(2n)).toBe(2);
    expect(guessBound(3n)).toBe(2);
    expect(guessBound(1_000_000n)).toBe(20);
    expect(guessBound(10n ** 100n)).toBe(333);
  });

  for (const [max, games] of [
    [1n, 10],
    [2n, 50],
    [1_000_000n, 2000],
    [10n ** 100n, 100],
  ] as const) {
    test(`max ${max > 10n ** 9n ? "10^100" : max}: ${games} random games, all won within the bound`, () => {
      const bound = guessBound(max);
      let worst = 0;
      for (let i = 0; i < games; i++) {
        const secret = randomSecret(max);
        const n = playInMemory(max, secret);
        worst = Math.max(worst, n);
        expect(n).toBeLessThanOrEqual(bound);
      }
      expect(worst).toBeGreaterThan(0);
    });
  }

  test("extreme secrets: 1, max, and both ends of every small range", () => {
    for (let max = 1n; max <= 64n; max++) {
      for (let secret = 1n; secret <= max; secret++) {
        expect(playInMemory(max, secret)).toBeLessThanOrEqual(guessBound(max));
      }
    }
  });
});

describe("BotSession with other servers' manners", () => {
  test("a server that asks nothing gets the maximum, then a guess, after quiet spells", () => {
    const bot = new BotSession(100n);
    expect(bot.onQuiet()).toEqual({ send: "100" });
    expect(bot.onQuiet()).toEqual({ send: "50" });
    expect(bot.onQuiet()).toEqual({}); // a guess is out: wait for the answer
    expect(bot.onMessage("higher")).toEqual({ send: "75" });
    expect(bot.onMessage("lower")).toEqual({ send: "62" });
    expect(bot.onMessage("correct!")).toEqual({ won: true });
  });

  test("banners are skipped until the maximum is asked; prompts count as asking", () => {
    const bot = new BotSession(10n);
    expect(bot.onMessage("Bienvenue chez Kevin")).toEqual({});
    expect(bot.onMessage("Nombre max ? ")).toEqual({ send: "10" });
    expect(bot.onMessage("Devine : ")).toEqual({ send: "5" });
    expect(bot.onMessage("Devine : ")).toEqual({}); // chatter while a guess is out
    expect(bot.onMessage("Trop petit")).toEqual({ send: "8" });
    const other = new BotSession(10n);
    expect(other.onMessage("Votre choix ?")).toEqual({ send: "10" });
  });

  test("a banner taken for a prompt: the later question about the maximum is not answered twice", () => {
    const bot = new BotSession(10n);
    expect(bot.onMessage("Serveur de jeu :")).toEqual({ send: "10" });
    expect(bot.onMessage("Entrez le max :")).toEqual({});
    expect(bot.onMessage("Devinez :")).toEqual({ send: "5" });
  });

  test("a close after a guess ends the game as found; before any guess it is an error", () => {
    const bot = new BotSession(10n);
    bot.onQuiet();
    bot.onQuiet();
    expect(bot.onClose()).toEqual({ won: true });
    expect(bot.closedAsEnd).toBe(true);
    const early = new BotSession(10n);
    early.onQuiet();
    expect(early.onClose().fail).toMatch(/closed the connection before the game started/);
  });

  test("refusals, lies and nonsense end the game with a reason", () => {
    const refused = new BotSession(10n);
    refused.onQuiet();
    expect(refused.onMessage("erreur : maximum trop grand").fail).toMatch(
      /the server refused: "erreur/,
    );

    const liar = new BotSession(10n);
    liar.onQuiet();
    liar.onQuiet();
    let step: Step = {};
    for (let i = 0; i < 10 && !step.fail; i++) step = liar.onMessage("plus");
    expect(step.fail).toMatch(/inconsistent hints/);
    expect(liar.guesses).toBeLessThanOrEqual(guessBound(10n));

    const babbler = new BotSession(10n);
    babbler.onQuiet();
    babbler.onQuiet();
    step = {};
    for (let i = 0; i < 100 && !step.fail; i++) step = babbler.onMessage(`banana ${i}`);
    expect(step.fail).toMatch(
      /no plus\/moins\/win in the server's answers to guess 5; last: "banana 20"/,
    );
    expect(babbler.waitingFor()).toMatch(/hint after guess 5/);
  });
});
