// The scoreboard on its own: games fed in by hand, times given, views read back.
import { describe, expect, test } from "bun:test";
import { Game } from "../../src/guess/game.ts";
import { type PlayerKind, Scoreboard } from "../../src/guess/scoreboard.ts";

const as = (game: Game, kind: PlayerKind = "terminal") => ({ game, kind });

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
    board.begin(as(game, "web"), "10.0.0.7", 1000);
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
        via: "web",
      },
    ]);
    expect(JSON.stringify(view)).not.toContain("777777");
  });

  test("an unnamed player is its address; a game with no maximum yet shows none", () => {
    const board = new Scoreboard();
    const game = new Game(() => 1n);
    game.start();
    board.begin(as(game), "::1", 0);
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
      const game = gameWith(secret, "16", `nom ${name}`, ...guesses);
      const id = board.begin(as(game, name === "B" ? "bot" : "terminal"), "h", 0);
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
      via: "terminal",
    });
    const rows = board.view(0).leaderboard;
    expect(rows.map((r) => [r.player, r.wins, r.games, r.guesses, r.bound, r.bestMs])).toEqual([
      ["B", 2, 2, 4, 10, 100],
      ["A", 2, 2, 5, 10, 300],
      ["C", 0, 1, 0, 0, null],
    ]);
    expect(board.view(0).live).toEqual([]);
    expect(board.summary()).toEqual([
      "session: 5 games, 4 won, 0 lost, 3 players",
      "  1. B (bot): 2/2 won, 4 guesses for a bound of 10, best 100 ms",
      "  2. A (terminal): 2/2 won, 5 guesses for a bound of 10, best 300 ms",
      "  3. C (terminal): 0/1 won",
    ]);
  });

  test("watchers hear of every change until they unsubscribe", () => {
    const board = new Scoreboard();
    let heard = 0;
    const stop = board.subscribe(() => heard++);
    const id = board.begin(as(new Game()), "h", 0);
    board.changed();
    board.end(id, "h:1", "left", 1);
    stop();
    board.changed();
    expect(heard).toBe(3);
    expect(board.end(id, "h:1", "left", 2)).toBeUndefined();
  });

  test("the summary says what the page says: its player count, its times in its units", () => {
    // Issue 19: the summary said "best 0.0 s" where the page said "2 ms".
    const board = new Scoreboard();
    const won = (name: string, ms: number) => {
      const id = board.begin(as(gameWith(5n, "8", `nom ${name}`, "5")), "h", 0);
      board.end(id, "h:1", "won", ms);
    };
    won("Vite", 2);
    won("Lent", 1460);
    const view = board.view(0);
    expect(view.leaderboard.map((s) => s.best)).toEqual(["2 ms", "1.5 s"]);
    const [head, first, second] = board.summary();
    expect(head).toContain(`${view.players} players`);
    expect(view.players).toBe(2);
    expect(first).toEndWith("best 2 ms");
    expect(second).toEndWith("best 1.5 s");
  });

  test("the summary escapes what the log escapes", () => {
    const board = new Scoreboard();
    const game = gameWith(5n, "8", "5");
    game.name = "A\u202eB\u3164"; // set directly: names.ts would refuse it
    board.end(board.begin(as(game), "h", 0), "h:1", "won", 1);
    expect(board.summary()[1]).toContain("A\\u{202e}B\\u{3164}");
  });
});
