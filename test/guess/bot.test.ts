// The bot as a user runs it: against our compiled server, classmates' servers, and broken ones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Child } from "../../scripts/lib/run.ts";
import { parseMaxFlag, playGame } from "../../src/guess/bot.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";
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

let server: Child;
let port: number;

beforeAll(async () => {
  server = spawnExe("tp-guess", ["server", "--port", "0"]);
  const m = await server.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
  port = Number(m[1]);
});
afterAll(async () => {
  await server.stop("SIGTERM");
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

  for (const [max, games, parallel, bound] of [
    ["1", 50, 10, 1],
    ["2", 200, 20, 2],
    ["1000000", 400, 40, 20],
    ["10^100", 60, 20, 333],
  ] as const) {
    test(`max ${max}: ${games} games, all won within floor(log2 max)+1 = ${bound}`, async () => {
      const r = await bot(
        port,
        "--max",
        max,
        "--games",
        String(games),
        "--parallel",
        String(parallel),
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const s = summary(r.stdout);
      expect(s).toMatchObject({ games, wins: games, bound });
      expect(s.worst).toBeLessThanOrEqual(bound);
      expect(s.mean).toBeLessThanOrEqual(s.worst);
      if (max === "2") expect(s.worst).toBe(2); // both secrets occur in 200 games
    });
  }
});

describe("tp-guess bot against classmates' servers", () => {
  const variants: Array<[string, () => FakeServer]> = [
    ["French: C'est plus ! / Bravo, prompts without newline, lines in pieces", frenchServer],
    ["English: max first without asking, higher / lower / correct, CRLF", englishServer],
    ["Trop petit / Trop grand, hangs up when found", hangUpServer],
  ];
  for (const [name, make] of variants) {
    test(name, async () => {
      const fake = make();
      try {
        const one = await bot(fake.port, "--max", "1000");
        expect(one.stderr).toBe("");
        expect(one.code).toBe(0);
        expect(one.stdout).toMatch(/\nwon in (\d+) guesses \(bound 10\)/);
        const many = await bot(fake.port, "--max", "1000", "--games", "30", "--parallel", "10");
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
        "won in 1 guesses (bound 1)",
        "",
      ].join("\n"),
    );
  });
});

describe("tp-guess bot against broken servers", () => {
  test("a server that never answers: one clear line, exit 1, no hang", async () => {
    const r = await withServer(silentServer, (p) => bot(p, "--max", "100", "--timeout", "1s"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^tp-guess: error: no answer from 127\.0\.0\.1:\d+ for 1 s \(it sent nothing at all\), waiting for a hint after guess 50\n$/,
    );
  });

  test("a server that answers nonsense: one clear line, exit 1", async () => {
    const r = await withServer(echoServer, (p) => bot(p, "--max", "100", "--timeout", "1s"));
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

  const bad: Array<[string[], RegExp]> = [
    [["bot", "127.0.0.1"], /max/i],
    [["bot", "127.0.0.1", "--max", "0"], /--max must be between 1 and 10\^1000/],
    [["bot", "127.0.0.1", "--max", "ten"], /--max expects a whole number/],
    [["bot", "127.0.0.1", "--max", "10", "--games", "0"], /--games must be between/],
    [["bot", "127.0.0.1", "--max", "10", "--parallel", "x"], /--parallel expects a whole number/],
    [["bot", "127.0.0.1", "--max", "10", "--timeout", "soon"], /--timeout expects a duration/],
    [["bot", "127.0.0.1", "--max", "10", "--timeout", "0"], /must be above 0/],
    [["bot", "127.0.0.1", "99999", "--max", "10"], /PORT must be between 1 and 65535/],
    [["bot", "127.0.0.1", "--max", "10", "--bogus"], /unknown option '--bogus'/],
    [["bot"], /host/i],
    [["server", "--port", "70000"], /--port must be between 0 and 65535/],
    [["server", "--idle-timeout", "forever"], /--idle-timeout expects a duration/],
    [["server", "--bogus"], /unknown option '--bogus'/],
    [["server", "extra"], /unexpected argument 'extra'/],
    [["play"], /host/i],
    [["play", "127.0.0.1", "0"], /PORT must be between 1 and 65535/],
    [["play", "127.0.0.1", "--timeout", "x"], /--timeout expects a duration/],
    [["play", "127.0.0.1", "--max", "3"], /unknown option '--max'/],
    [["dance"], /unknown command 'dance'/],
  ];
  for (const [args, pattern] of bad) {
    test(`tp-guess ${args.join(" ")} -> one line, exit 2`, async () => {
      const r = await runExe("tp-guess", args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^tp-guess: error: /);
      expect(lines[0]).toMatch(pattern);
    });
  }
});
