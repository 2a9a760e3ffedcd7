// The scoreboard on its own: games fed in by hand, times given, views read back.
import { describe, expect, test } from "bun:test";
import { Game } from "../../src/guess/game.ts";
import { Scoreboard } from "../../src/guess/scoreboard.ts";

function gameWith(secret: bigint, max: string, ...lines: string[]): Game {
  const game = new Game(() => secret);
  game.start();
  game.input(max);
  for (const line of lines) game.input(line);
  return game;
}

describe("Scoreboard", () => {
  test("a game in progress: player, maximum, guesses, interval left; never the secret", () => {
    const board = new Scoreboard();
    const game = gameWith(777_777n, "1000000", "nom Zoé", "500000", "900000");
    board.begin(game, "10.0.0.7", 1000);
    const view = board.view(3500);
    expect(view.live).toEqual([
      {
        id: 1,
        player: "Zoé",
        max: "1000000",
        guesses: 2,
        lo: "500001",
        hi: "899999",
        bound: 20,
        seconds: 2.5,
      },
    ]);
    expect(JSON.stringify(view)).not.toContain("777777");
  });

  test("an unnamed player is its address; a game with no maximum yet shows none", () => {
    const board = new Scoreboard();
    const game = new Game(() => 1n);
    game.start();
    board.begin(game, "::1", 0);
    expect(board.view(0).live[0]).toMatchObject({
      player: "::1",
      max: null,
      lo: null,
      bound: null,
    });
  });

  test("leaderboard: wins first, then guesses against the bound, then the best time", () => {
    const board = new Scoreboard();
    const play = (name: string, secret: bigint, guesses: string[], ms: number) => {
      const id = board.begin(gameWith(secret, "16", `nom ${name}`, ...guesses), "h", 0);
      return board.end(id, "h:1", guesses.at(-1) === String(secret) ? "won" : "left", ms);
    };
    play("A", 8n, ["8"], 900); // 1 guess, bound 5
    play("B", 8n, ["4", "6", "8"], 100);
    play("B", 8n, ["8"], 500);
    play("C", 8n, ["1"], 10); // left without winning
    const record = play("A", 3n, ["8", "4", "2", "3"], 300);
    expect(record).toEqual({
      player: "A",
      address: "h:1",
      max: "16",
      guesses: 4,
      errors: 0,
      outcome: "won",
      durationMs: 300,
    });
    const rows = board.view(0).leaderboard;
    expect(rows.map((r) => [r.player, r.wins, r.games, r.guesses, r.bound, r.bestMs])).toEqual([
      ["B", 2, 2, 4, 10, 100],
      ["A", 2, 2, 5, 10, 300],
      ["C", 0, 1, 0, 0, null],
    ]);
    expect(board.view(0).live).toEqual([]);
    expect(board.summary()).toEqual([
      "session: 5 game(s), 4 won, 0 lost, 3 player(s)",
      "  1. B: 2/2 won, 4 guesses for a bound of 10, best 0.1 s",
      "  2. A: 2/2 won, 5 guesses for a bound of 10, best 0.3 s",
      "  3. C: 0/1 won",
    ]);
  });

  test("watchers hear of every change until they unsubscribe", () => {
    const board = new Scoreboard();
    let heard = 0;
    const stop = board.subscribe(() => heard++);
    const id = board.begin(new Game(), "h", 0);
    board.changed();
    board.end(id, "h:1", "left", 1);
    stop();
    board.changed();
    expect(heard).toBe(3);
    expect(board.end(id, "h:1", "left", 2)).toBeUndefined();
  });
});
