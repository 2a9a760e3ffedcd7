// Both echo load generators (bench/echo-loadgen.ts, and the C one where cc exists) against the
// compiled ./tp-echo and against a server that answers wrong: the same JSON fields, real
// counts, and every wrong answer counted as an error. No speed is asserted here (bench only).
import { afterAll, describe, expect, test } from "bun:test";
import { echoLoadGenerator, type LoadGenerator } from "../../bench/lib/loadgen.ts";
import type { EchoRun } from "../../bench/lib/types.ts";
import { startServer } from "../../bench/proc.ts";
import { freePort } from "../../scripts/lib/net.ts";
import { exePath } from "../../scripts/lib/root.ts";
import { runCommand } from "../../scripts/lib/run.ts";

const HOST = "127.0.0.1";

/** Greets as tp-echo does, then answers every line with the wrong prompt. */
const wrong = Bun.listen({
  hostname: HOST,
  port: 0,
  socket: {
    open(s) {
      s.write(`Vous êtes connecté au serveur ${HOST}:${wrong.port}.\nVotre message ?\n`);
    },
    data(s, chunk) {
      s.write(`ECHO : ${chunk.toString()}Votre message !\n`);
    },
  },
});
afterAll(() => wrong.stop(true));

async function load(gen: LoadGenerator, port: number, serverPid?: number): Promise<EchoRun> {
  const argv = [...gen.argv, "--host", HOST, "--port", String(port), "--clients", "5"];
  argv.push("--warmup-ms", "50", "--duration-ms", "200");
  if (serverPid) argv.push("--server-pid", String(serverPid));
  const r = await runCommand(argv, { timeoutMs: 20_000 });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as EchoRun;
}

const generators: Array<[string, () => Promise<LoadGenerator>]> = [
  ["ts", () => echoLoadGenerator("ts")],
  ["c", () => echoLoadGenerator("c")],
];

describe.each(generators)("echo load generator (%s)", (kind, make) => {
  test("loads tp-echo: messages counted, server CPU and RSS read, no errors", async () => {
    const gen = await make();
    if (gen.kind !== kind) {
      console.warn(`skipped: the ${kind} generator is unavailable here (${gen.fallback})`);
      return;
    }
    const port = await freePort(HOST);
    const server = await startServer(
      [exePath("tp-echo"), "--host", HOST, "--port", String(port), "--quiet"],
      { host: HOST, port },
    );
    try {
      const run = await load(gen, port, server.pid);
      expect(run.errors).toBe(0);
      expect(run.messages).toBeGreaterThan(0);
      // The C generator prints windowMs to the microsecond: compare as a ratio.
      expect((run.messagesPerSec * run.windowMs) / 1000 / run.messages).toBeCloseTo(1, 5);
      expect(run.serverCpuMs).not.toBeNull();
      expect(run.rssConnectedKb).toBeGreaterThan(0);
      expect(run.p99Ms).toBeGreaterThanOrEqual(run.p50Ms);
    } finally {
      await server.stop();
    }
  });

  test("a wrong answer is an error for each client, never a message", async () => {
    const gen = await make();
    if (gen.kind !== kind) return;
    const run = await load(gen, wrong.port);
    expect(run.errors).toBe(5);
    expect(run.messages).toBe(0);
    expect(run.errorSamples[0]).toContain("wrong answer");
  });
});
