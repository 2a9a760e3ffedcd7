// The human client, driven through a pipe the way a person would type.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type GuessServer, startGuessServer } from "../../src/guess/server.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";
import { inProcess } from "../helpers/tcp.ts";
import {
  coalescedPromptsServer,
  deadPort,
  englishServer,
  frenchServer,
  withServer,
} from "./helpers.ts";

/** Run the compiled human client against 127.0.0.1:`port`, typing `stdin`. */
function play(port: number, stdin: string, ...args: string[]) {
  return runExe("tp-guess", ["play", "127.0.0.1", String(port), ...args], { stdin });
}

// Our server runs in the test process; the client is the executable.
let server: GuessServer;
let port: number;

beforeAll(() => {
  server = startGuessServer(inProcess());
  port = server.port;
});
afterAll(async () => {
  await server.stop();
});

/** Every guess from 1 to max: the game is won somewhere in there. */
function allGuesses(max: number): string {
  return Array.from({ length: max }, (_, i) => `${i + 1}\n`).join("");
}

describe("tp-guess play", () => {
  test("typed lines go to our server, its text comes back; exit 0 after a win", async () => {
    const r = await play(port, `abc\n10\n${allGuesses(10)}`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("bienvenue au jeu du nombre secret");
    expect(lines[1]).toMatch(/^maximum \?/);
    expect(lines[2]).toMatch(/^erreur : « abc » : ce n'est pas un nombre entier/);
    expect(lines[3]).toMatch(/^maximum \?/);
    expect(lines[4]).toBe("nombre ? proposez un entier de 1 à 10");
    const won = lines.at(-1) as string;
    const [, n, secret] = won.match(/^gagné en (\d+) coups? : le nombre secret était (\d+)$/) ?? [];
    expect(n).toBe(secret as string);
    expect(lines.filter((l) => l.startsWith("plus :"))).toHaveLength(Number(secret) - 1);
  });

  test("input that ends before a win, to a server that asks nothing: one error line after --timeout of silence, exit 1", async () => {
    const r = await withServer(englishServer, (p) => play(p, "1000\n", "--timeout", "300ms"));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^tp-guess: error: input ended and 127\.0\.0\.1:\d+ said nothing more for 0\.3 s, game not won\n$/,
    );
  });

  test("input that ends before a win: done as soon as the server asks again, not after --timeout", async () => {
    // A minute of --timeout: waiting for it would outlast the test's own time limit.
    const r = await play(port, "1000\n500\n", "--timeout", "60s");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\nnombre \? proposez un entier de 1 à 1000\n$/);
    expect(r.stderr).toMatch(
      /^tp-guess: error: input ended before the game was won; 127\.0\.0\.1:\d+ asks for more: "nombre \? proposez un entier de 1 à 1000"\n$/,
    );
  });

  test("a prompt without a line end counts as the server asking again", async () => {
    const r = await withServer(frenchServer, (p) => play(p, "20\n", "--timeout", "60s"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/asks for more: "Devine :"\n$/);
  });

  test("two prompts read in one chunk count as two (the race of a loaded machine)", async () => {
    const r = await withServer(coalescedPromptsServer, (p) => play(p, "20\n", "--timeout", "60s"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/asks for more: "Devine :"\n$/);
  });

  test("works with a classmate's server that prompts without a line end", async () => {
    const r = await withServer(frenchServer, (p) => play(p, `20\n${allGuesses(20)}`));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("Bienvenue sur le serveur de Kevin !\nNombre max ? Devine : ");
    expect(r.stdout).toMatch(/Bravo ! Trouvé en \d+ coups\.\n$/);
  });

  test("works with a server that asks nothing and answers in English", async () => {
    const r = await withServer(englishServer, (p) => play(p, `5\n${allGuesses(5)}`));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(higher\r\n)*Correct, you got it in \d tries\r\n$/);
  });

  test("a refused connection is one line, exit 1", async () => {
    const r = await play(deadPort(), "");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^tp-guess: error: connection refused by 127\.0\.0\.1:\d+ \(is the server running\?\)\n$/,
    );
  });

  test("a win ends play with exit 0 even while the terminal stays open", async () => {
    // stdin is a pipe we never close, like a terminal after the last guess.
    const child = spawnExe("tp-guess", ["play", "127.0.0.1", String(port)]);
    const timer = setTimeout(() => child.proc.kill("SIGKILL"), 10_000);
    child.proc.stdin.write("1\n1\n");
    child.proc.stdin.flush();
    const code = await child.proc.exited;
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(child.stdout.text).toEndWith("gagné en 1 coup : le nombre secret était 1\n");
  });

  test("the server hanging up ends play even while the terminal stays open", async () => {
    const listener = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(socket) {
          socket.end("au revoir\n");
        },
        data() {},
      },
    });
    try {
      // stdin is a pipe we never close, like a terminal nobody types in.
      const child = spawnExe("tp-guess", ["play", "127.0.0.1", String(listener.port)]);
      const timer = setTimeout(() => child.proc.kill("SIGKILL"), 10_000);
      const code = await child.proc.exited;
      clearTimeout(timer);
      await child.stderr.done;
      expect(code).toBe(1);
      expect(child.stdout.text).toBe("au revoir\n");
      expect(child.stderr.text).toMatch(/closed the connection before the game was won\n$/);
    } finally {
      listener.stop(true);
    }
  });
});
