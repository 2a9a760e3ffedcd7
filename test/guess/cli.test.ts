// tp-guess as a user runs it, for what only the executable shows: the server's signals and
// log, and every command's flags and exit codes. The protocol is tested in process.
import { describe, expect, test } from "bun:test";
import { freePort } from "../../scripts/lib/net.ts";
import type { Child } from "../../scripts/lib/run.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";
import { LineClient } from "./helpers.ts";

async function startServer(extra: string[] = []): Promise<{ child: Child; port: number }> {
  const child = spawnExe("tp-guess", ["server", "--port", "0", ...extra]);
  const m = await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
  return { child, port: Number(m[1]) };
}

describe("tp-guess server signals and flags", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal}: players are told in French, the server exits 0`, async () => {
      const { child, port } = await startServer();
      const c = await LineClient.connect(port);
      await c.until(/^maximum \?/);
      c.send("50\n");
      await c.next();
      child.proc.kill(signal);
      expect(await c.next()).toBe("arrêt du serveur : partie interrompue, au revoir");
      await c.whenClosed;
      expect(await child.proc.exited).toBe(0);
      expect(child.stderr.text).toMatch(/max=50 guesses=0 errors=0 outcome=shutdown/);
      expect(child.stderr.text).toContain(`${signal}: stopping, 1 game interrupted`);
    });
  }

  test("--quiet keeps the log silent", async () => {
    const port = await freePort();
    const child = spawnExe("tp-guess", ["server", "--port", String(port), "--quiet"]);
    let c: LineClient | undefined;
    for (let i = 0; i < 100 && !c; i++) {
      c = await LineClient.connect(port).catch(async () => {
        await Bun.sleep(100);
        return undefined;
      });
    }
    if (!c) throw new Error("quiet server never came up");
    await c.until(/^maximum \?/);
    c.send("1\n");
    await c.next();
    c.send("1\n");
    expect(await c.next()).toMatch(/^gagné en 1 coup/);
    expect(await child.stop("SIGTERM")).toBe(0);
    await child.stderr.done;
    expect(child.stderr.text).toBe("");
  });

  test("a busy port is a one-line error, exit 1", async () => {
    const { child, port } = await startServer();
    const r = await runExe("tp-guess", ["server", "--port", String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("already in use");
    await child.stop("SIGTERM");
  });
});

describe("tp-guess flags: one line, exit 2", () => {
  const bad: Array<[string[], RegExp]> = [
    [["bot", "127.0.0.1", "--name", ""], /--name must be 1 to 32 printable characters/],
    [["bot", "127.0.0.1", "--name", "a".repeat(33)], /--name must be 1 to 32 printable/],
    [["play", "127.0.0.1", "--name", "tab\there"], /--name must be 1 to 32 printable/],
    [["server", "--max", "0"], /--max must be between 1 and 10\^1000/],
    [["server", "--max-guesses", "0"], /--max-guesses must be between 1/],
    [["server", "--web", "70000"], /--web must be between 0 and 65535/],
    [["server", "--log", "xml"], /--log expects text or json/],
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
    [["server", "--max-clients", "0"], /--max-clients must be between 1/],
    [["bot", "127.0.0.1", "0", "--max", "10"], /PORT must be between 1 and 65535, got 0/],
    [["bot", "127.0.0.1", "--max", "10", "--settle", "0"], /--settle must be above 0/],
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
