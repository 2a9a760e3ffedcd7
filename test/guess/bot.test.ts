// The bot against our server (run in process), classmates' servers and broken ones: whole
// games in process, and the executable for what a user sees (dialogue, summary, exit code).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseMaxFlag, playGame, playMany } from "../../src/guess/bot.ts";
import { type GuessServer, startGuessServer } from "../../src/guess/server.ts";
import { runExe } from "../helpers/exe.ts";
import { inProcess } from "../helpers/tcp.ts";
import {
  deadPort,
  echoServer,
  englishServer,
  type FakeServer,
  frenchServer,
  hangUpServer,
  silentServer,
  withServer,
} from "./helpers.ts";

/** Run the compiled bot against 127.0.0.1:`port`. */
function bot(port: number, ...args: string[]) {
  return runExe("tp-guess", ["bot", "127.0.0.1", String(port), ...args]);
}

let server: GuessServer;
let port: number;

beforeAll(() => {
  server = startGuessServer(inProcess());
  port = server.port;
});
afterAll(async () => {
  await server.stop();
});

function summary(stdout: string): {
  games: number;
  wins: number;
  worst: number;
  bound: number;
  mean: number;
} {
  const m = stdout.match(
    /games (\d+), wins (\d+), failures 0\nguesses: mean ([\d.]+), worst (\d+), bound (\d+) \(floor\(log2 max\)\+1\)\ntime [\d.]+ s, [\d.]+ games\/s\n$/,
  );
  if (!m) throw new Error(`no summary in:\n${stdout}`);
  return {
    games: Number(m[1]),
    wins: Number(m[2]),
    mean: Number(m[3]),
    worst: Number(m[4]),
    bound: Number(m[5]),
  };
}

describe("tp-guess bot against our server", () => {
  test("one game prints its dialogue and the result", async () => {
    const r = await runExe("tp-guess", ["bot", "127.0.0.1", String(port), "--max", "1000"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("< bienvenue au jeu du nombre secret");
    expect(lines[1]).toMatch(/^< maximum \? /);
    expect(lines[2]).toBe("> 1000");
    expect(lines[3]).toBe("< nombre ? proposez un entier de 1 à 1000");
    expect(lines[4]).toBe("> 500");
    const sent = lines.filter((l) => l.startsWith("> ")).length - 1;
    expect(lines.at(-2)).toMatch(
      new RegExp(`^< gagné en ${sent} coups? : le nombre secret était \\d+$`),
    );
    expect(lines.at(-1)).toBe(`won in ${sent} guesses (bound 10)`);
  });

  test("the dialogue keeps the wire's order: each hint, then its prompt, then our guess", async () => {
    const r = await runExe("tp-guess", ["bot", "127.0.0.1", String(port), "--max", "1000"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const hints = lines.flatMap((l, i) => (/^< (plus|moins) :/.test(l) ? [i] : []));
    expect(hints.length).toBeGreaterThan(0);
    for (const i of hints) {
      expect(lines[i + 1]).toMatch(/^< nombre \? /);
      expect(lines[i + 2]).toMatch(/^> \d+$/);
    }
  });

  for (const [max, games, parallel, bound] of [
    ["1", 50, 10, 1],
    ["2", 200, 20, 2],
    ["1000000", 400, 40, 20],
    ["10^100", 60, 20, 333],
  ] as const) {
    test(`max ${max}: ${games} games, all won within floor(log2 max)+1 = ${bound}`, async () => {
      const opts = {
        host: "127.0.0.1",
        port,
        max: parseMaxFlag(max),
        timeoutMs: 5000,
        settleMs: 200,
      };
      const s = await playMany(opts, games, parallel);
      expect(s.firstError).toBeUndefined();
      expect(s).toMatchObject({ games, wins: games, failures: 0, bound });
      expect(s.worstGuesses).toBeLessThanOrEqual(bound);
      expect(s.meanGuesses).toBeLessThanOrEqual(s.worstGuesses);
      if (max === "2") expect(s.worstGuesses).toBe(2); // both secrets occur in 200 games
    });
  }

  test("many games print a summary, exit 0", async () => {
    const r = await bot(port, "--max", "1000", "--games", "20", "--parallel", "5");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(summary(r.stdout)).toMatchObject({ games: 20, wins: 20, bound: 10 });
  });
});

describe("tp-guess bot against classmates' servers", () => {
  // The settle time is how long the bot waits before speaking first: the English server
  // never asks, so a shorter one keeps its 31 games quick.
  const variants: Array<[string, () => FakeServer, string?]> = [
    ["French: C'est plus ! / Bravo, prompts without newline, lines in pieces", frenchServer],
    ["English: max first without asking, higher / lower / correct, CRLF", englishServer, "50ms"],
    ["Trop petit / Trop grand, hangs up when found", hangUpServer],
  ];
  for (const [name, make, settle = "200ms"] of variants) {
    test(name, async () => {
      const fake = make();
      try {
        const one = await bot(fake.port, "--max", "1000", "--settle", settle);
        expect(one.stderr).toBe("");
        expect(one.code).toBe(0);
        expect(one.stdout).toMatch(/\nwon in (\d+) guesses \(bound 10\)/);
        const many = await bot(
          fake.port,
          "--max",
          "1000",
          "--games",
          "30",
          "--parallel",
          "10",
          "--settle",
          settle,
        );
        expect(many.code).toBe(0);
        const s = summary(many.stdout);
        expect(s.wins).toBe(30);
        expect(s.worst).toBeLessThanOrEqual(10);
        expect(fake.games).toBe(31);
      } finally {
        fake.stop();
      }
    });
  }

  test("the French dialogue shows prompts read without a line end", async () => {
    const r = await withServer(frenchServer, (p) => bot(p, "--max", "1"));
    expect(r.stdout).toBe(
      [
        "< Bienvenue sur le serveur de Kevin !",
        "< Nombre max ? ",
        "> 1",
        "< Devine : ",
        "> 1",
        "< Bravo ! Trouvé en 1 coups.",
        "won in 1 guess (bound 1)",
        "",
      ].join("\n"),
    );
  });
});

describe("tp-guess bot against broken servers", () => {
  test("a server that never answers: one clear line, exit 1, no hang", async () => {
    const r = await withServer(silentServer, (p) =>
      bot(p, "--max", "100", "--timeout", "300ms", "--settle", "50ms"),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^tp-guess: error: no answer from 127\.0\.0\.1:\d+ for 0\.3 s \(it sent nothing at all\), waiting for a hint after guess 50\n$/,
    );
  });

  test("a server that answers nonsense: one clear line, exit 1", async () => {
    const r = await withServer(echoServer, (p) =>
      bot(p, "--max", "100", "--timeout", "300ms", "--settle", "50ms"),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toContain(
      'waiting for a hint after guess 50; last line received: "ECHO : 50"',
    );
  });

  test("many games against a dead port: summary, then one error line, exit 1", async () => {
    const r = await bot(deadPort(), "--max", "10", "--games", "5");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("games 5, wins 0, failures 5");
    expect(r.stderr).toMatch(
      /^tp-guess: error: 5 of 5 games failed; first: connection refused by 127\.0\.0\.1:\d+/,
    );
  });

  test("our server refusing the maximum is reported, not retried forever", async () => {
    const r = await playGame({
      host: "127.0.0.1",
      port,
      max: 10n ** 1000n + 1n,
      timeoutMs: 5000,
      settleMs: 200,
    });
    expect(r.won).toBe(false);
    expect(r.error).toMatch(/^the server refused: "erreur : maximum trop grand/);
  });
});

describe("tp-guess bot flags", () => {
  test("parseMaxFlag reads digits and powers, refuses the rest", () => {
    expect(parseMaxFlag("1000000")).toBe(1_000_000n);
    expect(parseMaxFlag("10^100")).toBe(10n ** 100n);
    expect(parseMaxFlag("1e6")).toBe(1_000_000n);
    expect(parseMaxFlag("10^1000")).toBe(10n ** 1000n);
    for (const bad of ["0", "-1", "abc", "", "10^1001", "99999^99999", "1.5"]) {
      expect(() => parseMaxFlag(bad)).toThrow(/--max/);
    }
  });
});
