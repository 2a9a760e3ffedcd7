// The game server's protocol, run inside the test process on a free port and spoken to with
// raw sockets. What only the executable shows (flags, signals, exit codes) is in cli.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type GuessServer, startGuessServer } from "../../src/guess/server.ts";
import { inProcess, recordingLog, until } from "../helpers/tcp.ts";
import { LineClient } from "./helpers.ts";

/** Wait (bounded) for a log line matching `pattern`. */
function logged(lines: string[], pattern: RegExp): Promise<void> {
  return until(() => lines.some((l) => pattern.test(l)), `a log line ${pattern}`);
}

/** Binary search by hand over a raw connection; checks every line on the way. */
async function playByHand(port: number, max: bigint): Promise<{ guesses: number; secret: bigint }> {
  const c = await LineClient.connect(port);
  expect(await c.next()).toBe("bienvenue au jeu du nombre secret");
  expect(await c.next()).toMatch(/^maximum \? /);
  c.send(`${max}\n`);
  let lo = 1n;
  let hi = max;
  let guesses = 0;
  expect(await c.next()).toBe(`nombre ? proposez un entier de 1 à ${max}`);
  for (;;) {
    const g = (lo + hi) / 2n;
    guesses++;
    c.send(`${g}\n`);
    const line = await c.next();
    if (line.startsWith("gagné")) {
      expect(line).toBe(
        `gagné en ${guesses} ${guesses === 1 ? "coup" : "coups"} : le nombre secret était ${g}`,
      );
      await c.whenClosed;
      return { guesses, secret: g };
    }
    if (line === `plus : le nombre secret est supérieur à ${g}`) lo = g + 1n;
    else if (line === `moins : le nombre secret est inférieur à ${g}`) hi = g - 1n;
    else throw new Error(`unexpected line for max ${max}: ${line}`);
    expect(await c.next()).toBe(`nombre ? proposez un entier de 1 à ${max}`);
  }
}

describe("tp-guess server", () => {
  let server: GuessServer;
  // The idle tests get their own server: 300 ms of silence must not end the others' games
  // on a loaded machine.
  let idleServer: GuessServer;
  const { log, lines } = recordingLog();
  beforeAll(() => {
    server = startGuessServer(inProcess({ log }));
    idleServer = startGuessServer(inProcess({ idleTimeoutMs: 300, log }));
  });
  afterAll(async () => {
    await Promise.all([server.stop(), idleServer.stop()]);
  });

  test("a whole game by the documented dialogue, logged in one line", async () => {
    const { guesses } = await playByHand(server.port, 1000n);
    expect(guesses).toBeLessThanOrEqual(10);
    await logged(
      lines,
      new RegExp(`game 127\\.0\\.0\\.1:\\d+ max=1000 guesses=${guesses} errors=0 outcome=won`),
    );
  });

  test("max 10^100 works end to end (BigInt all the way)", async () => {
    const { guesses, secret } = await playByHand(server.port, 10n ** 100n);
    expect(guesses).toBeLessThanOrEqual(333);
    expect(secret >= 1n && secret <= 10n ** 100n).toBe(true);
    await logged(lines, /max=10000000…\(101 digits\)/);
  });

  test("every bad input gets an erreur line and the prompt again; the game goes on", async () => {
    const c = await LineClient.connect(server.port);
    await c.until(/^maximum \?/);
    const badMax = ["abc", "-5", "0", "", `1${"0".repeat(1001)}`];
    for (const input of badMax) {
      c.send(`${input}\n`);
      expect(await c.next()).toMatch(
        /^erreur : .* ; attendu : le maximum, un entier de 1 à 10\^1000$/,
      );
      expect(await c.next()).toMatch(/^maximum \? /);
    }
    // A very long line, sent in pieces: one erreur, then the game reads the next line.
    c.send("9".repeat(30_000));
    c.send(`${"9".repeat(30_000)}\n`);
    expect(await c.next()).toMatch(/^erreur : ligne trop longue \(au-delà de 2048 octets\)/);
    expect(await c.next()).toMatch(/^maximum \? /);
    c.send("10\r\n");
    expect(await c.next()).toBe("nombre ? proposez un entier de 1 à 10");
    for (const input of ["x", "-1", "0", "11", "", "1".repeat(5000)]) {
      c.send(`${input}\n`);
      expect(await c.next()).toMatch(/^erreur : .* ; attendu : un entier de 1 à 10$/);
      expect(await c.next()).toBe("nombre ? proposez un entier de 1 à 10");
    }
    // Still playing: all ten guesses at once, the game ends at the secret.
    c.send("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
    const won = await c.until(/^gagné/);
    const [, n, secret] = won.match(/^gagné en (\d+) coups? : le nombre secret était (\d+)$/) ?? [];
    expect(Number(n)).toBe(Number(secret));
    await c.whenClosed;
    await logged(lines, new RegExp(`max=10 guesses=${n} errors=12 outcome=won`));
  });

  test("an idle player is told and disconnected", async () => {
    const c = await LineClient.connect(idleServer.port);
    await c.until(/^maximum \?/);
    c.send("100\n");
    await c.next();
    expect(await c.next(5_000)).toBe(
      "délai dépassé : aucune réponse depuis 0.3 s, fin de la partie",
    );
    await c.whenClosed;
    await logged(lines, /max=100 guesses=0 errors=0 outcome=timeout/);
  });

  test("a player who leaves is logged as such", async () => {
    const c = await LineClient.connect(server.port);
    await c.until(/^maximum \?/);
    c.send("77\n");
    await c.next();
    c.close();
    await logged(lines, /max=77 guesses=0 errors=0 outcome=left/);
  });

  test("a player who floods lines and never reads is cut at the idle timeout; others play on", async () => {
    let closed = false;
    const flood = await Bun.connect({
      hostname: "127.0.0.1",
      port: idleServer.port,
      socket: {
        data() {},
        close() {
          closed = true;
        },
      },
    });
    flood.pause(); // never read: the server's answers pile up
    const burst = new TextEncoder().encode("x\n".repeat(32 * 1024));
    for (let i = 0; i < 64 && flood.write(burst) === burst.length; i++) await Bun.sleep(1);
    await logged(lines, /max=- guesses=0 errors=\d{4,} outcome=timeout/);
    const { guesses } = await playByHand(idleServer.port, 100n);
    expect(guesses).toBeLessThanOrEqual(7);
    // The server has let go of the flooder: reading again only finds the end.
    flood.resume();
    for (let i = 0; i < 100 && !closed; i++) await Bun.sleep(50);
    expect(closed).toBe(true);
  });

  test("200 games at once, each with its own maximum: no crosstalk", async () => {
    const maxima = Array.from({ length: 200 }, (_, i) => BigInt(1000 + i * 7919));
    const results = await Promise.all(maxima.map((max) => playByHand(server.port, max)));
    results.forEach((r, i) => {
      expect(r.secret <= (maxima[i] as bigint)).toBe(true);
      expect(r.guesses).toBeLessThanOrEqual((maxima[i] as bigint).toString(2).length);
    });
  });
});

describe("limits and stop", () => {
  test("a player past max clients gets the complet line; the others play on", async () => {
    const server = startGuessServer(inProcess({ maxClients: 1 }));
    try {
      const a = await LineClient.connect(server.port);
      await a.until(/^maximum/);
      const b = await LineClient.connect(server.port);
      expect(await b.next()).toBe(
        "complet : le serveur a déjà 1 partie en cours, revenez dans un moment",
      );
      await b.whenClosed;
      a.send("1\n1\n");
      expect(await a.until(/^gagné/)).toBe("gagné en 1 coup : le nombre secret était 1");
    } finally {
      await server.stop();
    }
  });

  test("stop() says goodbye to every player and waits for them to go", async () => {
    const { log, lines } = recordingLog();
    const server = startGuessServer({ ...inProcess({ log }), pickSecret: () => 3n });
    const a = await LineClient.connect(server.port);
    const b = await LineClient.connect(server.port);
    await a.until(/^maximum/);
    await b.until(/^maximum/);
    a.send("5\n4\n");
    expect(await a.next()).toBe("nombre ? proposez un entier de 1 à 5");
    expect(await a.next()).toBe("moins : le nombre secret est inférieur à 4");
    expect(server.clientCount).toBe(2);
    await server.stop();
    expect(await a.until(/^arrêt/)).toBe("arrêt du serveur : partie interrompue, au revoir");
    expect(await b.until(/^arrêt/)).toBe("arrêt du serveur : partie interrompue, au revoir");
    await a.whenClosed;
    await b.whenClosed;
    expect(server.clientCount).toBe(0);
    expect(lines.filter((l) => /outcome=shutdown$/.test(l))).toHaveLength(2);
    expect(lines.at(-1)).toBe("info stopped");
  });
});
