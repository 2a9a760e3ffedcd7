// The classroom additions over the network: named games (raw socket, bot, play), the JSON
// endpoint and the event stream of the scoreboard, the teacher's rules; then the executable's
// --log json and its summary on SIGTERM.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { playGame } from "../../src/guess/bot.ts";
import { Scoreboard, type ScoreboardView } from "../../src/guess/scoreboard.ts";
import { type GuessServer, startGuessServer } from "../../src/guess/server.ts";
import { type ScoreboardWeb, startScoreboardWeb } from "../../src/guess/web/server.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";
import { inProcess, until } from "../helpers/tcp.ts";
import { LineClient } from "./helpers.ts";

let server: GuessServer;
let web: ScoreboardWeb;
let rules: GuessServer;
const scoreboard = new Scoreboard();

beforeAll(() => {
  const opts = inProcess();
  server = startGuessServer({ ...opts, scoreboard, pickSecret: () => 37n });
  web = startScoreboardWeb({ host: "127.0.0.1", port: 0, scoreboard, log: opts.log });
  rules = startGuessServer({
    ...opts,
    pickSecret: () => 9n,
    rules: { fixedMax: 64n, maxGuesses: 2 },
  });
});
afterAll(async () => {
  web.stop();
  await Promise.all([server.stop(), rules.stop()]);
});

async function scores(): Promise<ScoreboardView> {
  const res = await fetch(`${web.url}scoreboard.json`);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  return (await res.json()) as ScoreboardView;
}

async function standing(player: string) {
  return (await scores()).leaderboard.find((s) => s.player === player);
}

/** A raw connection that names itself (bytes as UTF-8 on the wire) and is at the max prompt. */
async function named(name: string): Promise<LineClient> {
  const c = await LineClient.connect(server.port);
  await c.until(/^maximum \?/);
  c.send(new TextEncoder().encode(`nom ${name}\n`));
  expect(await c.next()).toBe(`bonjour ${name}`);
  expect(await c.next()).toMatch(/^maximum \?/);
  return c;
}

describe("named games and the JSON endpoint", () => {
  test("raw socket, UTF-8 name: live with its interval (no secret), then on the leaderboard", async () => {
    const name = "Zoé Çelik 李小龍 🦊";
    const c = await named(name);
    c.send("100\n");
    await c.next();
    c.send("50\n");
    expect(await c.next()).toBe("moins : le nombre secret est inférieur à 50");
    const live = (await scores()).live.find((g) => g.player === name);
    expect(live).toMatchObject({ max: "100", guesses: 1, lo: "1", hi: "49", bound: 7 });
    expect(JSON.stringify(live)).not.toContain("37");
    await c.next();
    c.send("37\n");
    expect(await c.next()).toMatch(/^gagné en 2 coups/);
    await c.whenClosed;
    expect(await standing(name)).toMatchObject({ games: 1, wins: 1, guesses: 2, bound: 7 });
  });

  test("a name with <script> in it is data: the same characters back in JSON", async () => {
    const name = `<script>alert("x")</script>`;
    const c = await named(name);
    c.send("40\n");
    await c.next();
    c.send("37\n");
    await c.until(/^gagné/);
    expect(await standing(name)).toMatchObject({ wins: 1 });
  });

  test("the bot with --name", async () => {
    const r = await playGame({
      host: "127.0.0.1",
      port: server.port,
      max: 1000n,
      name: "Robot Léa",
      timeoutMs: 5000,
      settleMs: 200,
    });
    expect(r).toMatchObject({ won: true, max: 1000n });
    expect(await standing("Robot Léa")).toMatchObject({ wins: 1, guesses: r.guesses, bound: 10 });
  });

  test("the play client with --name", async () => {
    const stdin = `40\n${Array.from({ length: 40 }, (_, i) => `${i + 1}\n`).join("")}`;
    const r = await runExe(
      "tp-guess",
      ["play", "127.0.0.1", String(server.port), "--name", "Élève 7"],
      {
        stdin,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("bonjour Élève 7\n");
    expect(await standing("Élève 7")).toMatchObject({ games: 1, wins: 1 });
  });

  test("the event stream pushes a game that starts after it was opened", async () => {
    const res = await fetch(`${web.url}events`);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const read = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await read(/^retry: \d+\ndata: \{.*\}\n\n/);
    expect(text).not.toContain("Nouvelle");
    const c = await named("Nouvelle");
    await read(/"player":"Nouvelle"/);
    c.close();
    await reader.cancel();
  });

  test("the page is one self-contained document", async () => {
    const res = await fetch(web.url);
    const html = await res.text();
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(html).toContain('new EventSource("/events")');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain("innerHTML");
    expect((await fetch(`${web.url}nope`)).status).toBe(404);
  });
});

describe("the teacher's rules on the wire", () => {
  test("--max 64 --max-guesses 2: range in the greeting, no question, perdu then close", async () => {
    const c = await LineClient.connect(rules.port);
    expect(await c.next()).toBe(
      "bienvenue au jeu du nombre secret : un entier de 1 à 64, 2 coups permis",
    );
    expect(await c.next()).toBe("nombre ? proposez un entier de 1 à 64");
    c.send("32\n");
    await c.next();
    await c.next();
    c.send("16\n");
    expect(await c.next()).toBe("perdu : 2 coups sans trouver, le nombre secret était 9");
    await c.whenClosed;
  });

  test("the bot without --max reads the range and plays within the limit", async () => {
    const r = await playGame({
      host: "127.0.0.1",
      port: rules.port,
      timeoutMs: 5000,
      settleMs: 200,
    });
    expect(r.max).toBe(64n);
    expect(r.error).toMatch(/^lost: "perdu : 2 coups/);
  });
});

describe("the executable: --log json, --web, and the summary on SIGTERM", () => {
  test("one JSON object per game, then the session's summary", async () => {
    const child = spawnExe("tp-guess", [
      ...["server", "--port", "0", "--web", "0", "--log", "json", "--max", "8"],
    ]);
    const [, port] = (await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/)) as string[];
    const [, url] = (await child.stderr.waitFor(/scoreboard on (http:[^\s"]+)/)) as string[];
    const bot = await runExe("tp-guess", ["bot", "127.0.0.1", String(port), "--name", "Ana"]);
    expect(bot.code).toBe(0);
    const c = await LineClient.connect(Number(port));
    await c.next();
    await c.next();
    c.send("nom \u0007\n");
    expect(await c.next()).toMatch(/^erreur : caractère non imprimable/);
    c.close();
    await c.whenClosed;
    await until(() => /"outcome":"left"/.test(child.stderr.text), "the second game's record");
    const view = (await (await fetch(`${url}scoreboard.json`)).json()) as ScoreboardView;
    expect(view.leaderboard[0]).toMatchObject({ player: "Ana", wins: 1 });
    expect(await child.stop("SIGTERM")).toBe(0);
    // --log json: every line is JSON; the games are the "game" objects.
    const lines = child.stderr.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const records = lines.filter((l) => l.type === "game");
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ player: "Ana", max: "8", errors: 0, outcome: "won" });
    expect(records[0].guesses).toBeGreaterThan(0);
    expect(records[1]).toMatchObject({
      player: "127.0.0.1",
      max: "8",
      guesses: 0,
      errors: 1,
      outcome: "left",
    });
    expect(records[1].address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(typeof records[1].durationMs).toBe("number");
    expect(lines.at(-1)).toMatchObject({ type: "summary", games: 2, wins: 1, lost: 0, players: 2 });
    expect(lines.at(-1).leaders[0]).toMatchObject({ player: "Ana", wins: 1, bound: 4 });
  });

  test("--web on a busy port: one line, exit 1", async () => {
    const r = await runExe("tp-guess", ["server", "--port", "0", "--web", String(server.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      `tp-guess: error: cannot listen on 127.0.0.1:${server.port} for the web page (--web): port ${server.port} is already in use`,
    );
  });

  test("--port and --web on the same port: a usage error before anything listens (issue 19)", async () => {
    const port = String(server.port + 1000);
    const r = await runExe("tp-guess", ["server", "--port", port, "--web", port]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toStartWith(
      `tp-guess: error: --port and --web are both ${port}: the game and the web page need a port each`,
    );
    expect(r.stderr).not.toContain("listening");
  });

  test("the executable's play page: the page, then a game over its WebSocket", async () => {
    const child = spawnExe("tp-guess", ["server", "--port", "0", "--web", "0", "--max", "8"]);
    const [, url] = (await child.stderr.waitFor(/play page on (http:\S+)/)) as string[];
    const page = await fetch(url as string);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('"/play/ws"');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain("innerHTML");
    const lines: string[] = [];
    const ws = new WebSocket((url as string).replace(/^http/, "ws").replace(/\/play$/, "/play/ws"));
    let lo = 1;
    let hi = 8;
    let guess = 0;
    ws.onmessage = (e) => {
      const line = String(e.data);
      lines.push(line);
      if (line.startsWith("nombre")) {
        guess = Math.floor((lo + hi) / 2);
        ws.send(String(guess));
      } else if (line.startsWith("plus")) lo = guess + 1;
      else if (line.startsWith("moins")) hi = guess - 1;
    };
    await until(() => lines.some((l) => l.startsWith("gagné")), "a won game over the WebSocket");
    expect(lines[0]).toBe("bienvenue au jeu du nombre secret : un entier de 1 à 8");
    await child.stderr.waitFor(/game 127\.0\.0\.1:\d+ max=8 guesses=\d+ errors=0 outcome=won via=/);
    expect(await child.stop("SIGTERM")).toBe(0);
    expect(child.stderr.text).toMatch(/session: 1 game, 1 won, 0 lost, 1 player/);
  });

  test("the stop line counts a play-page player in mid-game beside the terminal ones", async () => {
    const child = spawnExe("tp-guess", ["server", "--port", "0", "--web", "0", "--max", "8"]);
    const [, url] = (await child.stderr.waitFor(/play page on (http:\S+)/)) as string[];
    const ws = new WebSocket((url as string).replace(/^http/, "ws").replace(/\/play$/, "/play/ws"));
    const lines: string[] = [];
    ws.onmessage = (e) => lines.push(String(e.data));
    await until(() => lines.some((l) => l.startsWith("nombre")), "the web player's first prompt");
    expect(await child.stop("SIGINT")).toBe(0);
    expect(child.stderr.text).toContain("SIGINT: stopping, 1 game interrupted");
    ws.close();
  });

  test("--public-url must be an http(s) URL, and needs --web", async () => {
    const bad = await runExe("tp-guess", ["server", "--web", "0", "--public-url", "ftp://x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--public-url expects an http:// or https:// URL, got 'ftp://x'");
    const alone = await runExe("tp-guess", ["server", "--public-url", "http://x/"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--public-url needs --web PORT");
  });
});
