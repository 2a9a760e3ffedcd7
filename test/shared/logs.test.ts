// One log style per use (docs/logs.md): a one-shot program says `tp-scan: warning: …` (the form
// of its errors), a server's event log is a timestamped line per event, and a server's
// `--log json` writes JSON lines only: its own events, the games and the summary.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeInvisible, jsonLine } from "../../src/shared/log.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("a --log json line: time and type first, the fields after", () => {
  const line = jsonLine("log", { level: "info", message: "x" }, new Date(0));
  expect(line).toBe(
    '{"time":"1970-01-01T00:00:00.000Z","type":"log","level":"info","message":"x"}\n',
  );
  expect(escapeInvisible("a\u202eb")).toBe("a\\u{202e}b");
});

test("tp-guess server --log json: every stderr line is JSON, summary included", async () => {
  const child = spawnExe("tp-guess", ["server", "--port", "0", "--web", "0", "--log", "json"]);
  const [, port] = (await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/)) as string[];
  const bot = await runExe("tp-guess", ["bot", "127.0.0.1", String(port), "--max", "100"]);
  expect(bot.code).toBe(0);
  await child.stderr.waitFor(/"type":"game"/);
  expect(await child.stop("SIGTERM")).toBe(0);
  const lines = jsonLines(child.stderr.text);
  const messages = lines.filter((l) => l.type === "log").map((l) => l.message);
  expect(messages).toContain(`listening on 127.0.0.1:${port}`);
  expect(messages.some((m) => /^scoreboard on http:/.test(String(m)))).toBe(true);
  expect(lines.find((l) => l.type === "game")).toMatchObject({ outcome: "won", max: "100" });
  expect(lines.at(-1)).toMatchObject({ type: "summary", games: 1, wins: 1, lost: 0, players: 1 });
  for (const l of lines) expect(typeof l.time).toBe("string");
});

test("tp-echo --log json: JSON lines only", async () => {
  const child = spawnExe("tp-echo", ["--port", "0", "--log", "json"]);
  const [, port] = (await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/)) as string[];
  const client = await runExe("tp-echo", ["client", "127.0.0.1", String(port)], {
    stdin: "salut\nFIN\n",
  });
  expect(client.code).toBe(0);
  await child.stderr.waitFor(/gone/);
  expect(await child.stop("SIGTERM")).toBe(0);
  const messages = jsonLines(child.stderr.text).map((l) => l.message);
  expect(messages).toContain(`listening on 127.0.0.1:${port}`);
  expect(messages.at(-1)).toBe("stopped");
});

test("a server's text log: a timestamped line per event", async () => {
  const child = spawnExe("tp-echo", ["--port", "0"]);
  await child.stderr.waitFor(/listening on/);
  expect(await child.stop("SIGTERM")).toBe(0);
  for (const line of child.stderr.text.trim().split("\n"))
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} (info|warn|error) +\S/);
});

test("a one-shot program warns as it errs: 'tp-scan: warning: …', no timestamp", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tp-cli-logs-"));
  try {
    const part = join(dir, "part1.jsonl");
    const scan = await runExe("tp-scan", [
      ...["127.0.0.1", "-p", "1-30", "--shard", "1/3", "--seed", "5", "-Pn"],
      ...["--jsonl"],
    ]);
    await Bun.write(part, scan.stdout);
    const merge = await runExe("tp-scan", ["merge", part]);
    expect(merge.stderr).toMatch(/^tp-scan: warning: shards 2, 3 of 3 missing/m);
    expect(merge.stderr).not.toMatch(/^\d\d:\d\d/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("counts agree with their number, on the wire too", async () => {
  const { plural } = await import("../../src/shared/plural.ts");
  const { notices } = await import("../../src/echo/dialogue.ts");
  const { wire } = await import("../../src/guess/protocol.ts");
  expect([
    plural(1, "guess", "guesses"),
    plural(2, "guess", "guesses"),
    plural(1n, "game"),
  ]).toEqual(["1 guess", "2 guesses", "1 game"]);
  expect(new TextDecoder().decode(notices.full(1))).toStartWith("Serveur complet : 1 client au");
  expect(wire.full(1)).toStartWith("complet : le serveur a déjà 1 partie en cours");
});
