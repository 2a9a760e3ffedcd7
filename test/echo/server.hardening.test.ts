// tp-echo against clients that try to hold it: non-readers, tricklers, clients that leave
// with output queued, many clients from one address; and the signals that stop it.
import { afterEach, describe, expect, test } from "bun:test";
import type { Child } from "../../scripts/lib/run.ts";
import { type EchoServer, startEchoServer } from "../../src/echo/server.ts";
import { DEFAULT_MAX_LINE_BYTES } from "../../src/shared/limits.ts";
import type { ServerOptions } from "../../src/shared/server/lifecycle.ts";
import { MAX_READ_BYTES } from "../../src/shared/server/receive-buffer.ts";
import { spawnExe } from "../helpers/exe.ts";
import { inProcess, sleep, TestClient, until } from "../helpers/tcp.ts";

const servers: EchoServer[] = [];
const clients: TestClient[] = [];
const children: Child[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(children.splice(0).map((c) => c.stop()));
});

function startEcho(options: Partial<ServerOptions> = {}): EchoServer {
  const server = startEchoServer({
    ...inProcess(),
    sequential: false,
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    ...options,
  });
  servers.push(server);
  return server;
}

async function connect(port: number): Promise<TestClient> {
  const c = await TestClient.connect("127.0.0.1", port);
  clients.push(c);
  return c;
}

/** The one admitted client of `server` (the registry is private: read it as the sweep does). */
function onlyClient(server: EchoServer) {
  const all = [...(server as unknown as { clients: Set<unknown> }).clients];
  return all[0] as { writer: { pending: number }; unread: Uint8Array[] };
}

describe("a client that sends and never reads", () => {
  test("holds at most --max-pending plus one reply of output and two reads of input; others are served", async () => {
    const cap = 16 * 1024;
    const server = startEcho({ maxPendingOutput: cap });
    const flooder = await connect(server.port);
    await flooder.waitFor("Votre message ?\n");
    flooder.pause();
    // 2-byte lines: each becomes a 25-byte echo, 12x the input.
    const block = new TextEncoder().encode("x\n".repeat(32 * 1024));
    // Flood until the server has stopped reading (bounded: 5 s), then let it settle.
    const held = onlyClient(server) as ReturnType<typeof onlyClient> & { readPaused: boolean };
    for (let i = 0, until = performance.now() + 5000; performance.now() < until && i < 2000; i++) {
      if (held.readPaused && held.writer.pending > 0) break;
      await sleep(flooder.trySend(block) < block.length ? 5 : 0);
    }
    await sleep(200);
    const reply = "ECHO : x\nVotre message ?\n".length;
    expect(held.writer.pending).toBeGreaterThan(0);
    expect(held.writer.pending).toBeLessThanOrEqual(cap + reply);
    // Two reads at most: the one in hand and one Bun may still dispatch once paused (a read is
    // at most MAX_READ_BYTES: the receive buffer capped at 64 KiB, doubled by the kernel, plus
    // one segment admitted before it is full).
    expect(held.unread.reduce((n, u) => n + u.length, 0)).toBeLessThanOrEqual(2 * MAX_READ_BYTES);
    const other = await connect(server.port);
    await other.waitFor("Votre message ?\n");
    await other.send("bonjour\n");
    await other.waitFor("ECHO : bonjour\n");
  });
});

describe("slots cannot be held for free", () => {
  test("a line not ended within --line-timeout cuts its client; ended lines reset the deadline", async () => {
    const server = startEcho({ lineTimeoutMs: 300 });
    const trickler = await connect(server.port);
    const talker = await connect(server.port);
    await trickler.waitFor("Votre message ?\n");
    await talker.waitFor("Votre message ?\n");
    const started = performance.now();
    for (let i = 0; i < 20 && !trickler.closed; i++) {
      // The cut may land between the check and the send.
      await trickler.send("a").catch(() => {});
      await talker.send("b\n");
      await sleep(50);
    }
    await trickler.waitClosed(2000);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(talker.closed).toBe(false);
    await talker.send("encore\n");
    await talker.waitFor("ECHO : encore\n");
  });

  test("a client that said FIN with its echoes queued and never reads is released", async () => {
    // A cap high enough that FIN is read while megabytes of echoes wait for the client.
    const server = startEcho({ maxPendingOutput: 256 * 1024 ** 2, closingTimeoutMs: 300 });
    const c = await connect(server.port);
    await c.waitFor("Votre message ?\n");
    c.pause();
    await c.send(`${`${"y".repeat(999)}\n`.repeat(16 * 1024)}FIN\n`);
    await until(
      () => server.clientCount === 1 && onlyClient(server).writer.pending > 0,
      "echoes queued",
    );
    await until(() => server.clientCount === 0, "the leaving client to be released", 3000);
  });

  test("--max-per-address refuses one more client from the same address", async () => {
    const server = startEcho({ maxPerAddress: 2 });
    const a = await connect(server.port);
    const b = await connect(server.port);
    await a.waitFor("Votre message ?\n");
    await b.waitFor("Votre message ?\n");
    const c = await connect(server.port);
    await c.waitClosed();
    expect(c.text).toStartWith("Serveur complet");
    a.destroy();
    await until(() => server.clientCount === 1, "a to leave");
    const d = await connect(server.port);
    await d.waitFor("Votre message ?\n");
  });
});

describe("signals", () => {
  async function startExe(): Promise<{ child: Child; port: number }> {
    const child = spawnExe("tp-echo", ["--port", "0", "--max-pending", "64m"]);
    children.push(child);
    const m = await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
    return { child, port: Number(m[1]) };
  }

  test("SIGHUP stops like SIGTERM: Good Bye. to every client, exit 0", async () => {
    const { child, port } = await startExe();
    const c = await connect(port);
    await c.waitFor("Votre message ?\n");
    child.proc.kill("SIGHUP");
    await c.waitClosed();
    expect(c.text).toEndWith("Good Bye.");
    expect(await child.proc.exited).toBe(0);
  });

  test("a second SIGTERM during the grace period cuts the non-readers at once, still exit 0", async () => {
    const { child, port } = await startExe();
    const c = await connect(port);
    await c.waitFor("Votre message ?\n");
    c.pause();
    // Enough echoes to fill the kernel's buffers both ways (loopback: several MB each).
    const block = new TextEncoder().encode(`${"z".repeat(999)}\n`.repeat(64));
    const until = performance.now() + 1500;
    for (let sent = 0; sent < 48 * 1024 ** 2 && performance.now() < until; ) {
      const n = c.trySend(block);
      if (n > 0) sent += n;
      await sleep(n < block.length ? 5 : 0);
    }
    child.proc.kill("SIGTERM");
    await child.stderr.waitFor(/SIGTERM: stopping/);
    const t0 = performance.now();
    child.proc.kill("SIGTERM");
    expect(await child.proc.exited).toBe(0);
    // The grace period is 2 s: the second signal ends it well before.
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(child.stderr.text).toContain("SIGTERM again");
    expect(child.stderr.text).toContain("stopped");
  });
});
