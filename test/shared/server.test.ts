// The shared server life cycle on its own, with a minimal handler: listen errors, the
// registry and its limit, the idle sweep, the graceful stop and its grace period.
import { afterEach, describe, expect, test } from "bun:test";
import { RuntimeError } from "../../src/shared/errors.ts";
import {
  type Client,
  type ConnectionHandler,
  leave,
  type ServerOptions,
  TcpServer,
} from "../../src/shared/server/lifecycle.ts";
import { inProcess, recordingLog, sleep, TestClient, until } from "../helpers/tcp.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

interface Session {
  received: number;
  /** An idle client with this set is left alone. */
  spared: boolean;
}

/**
 * Greets with "salut", answers "ok" to each chunk ("big": 256 KiB, to back up the output of a
 * client that does not read), "zzz" when idle, "fin" at stop.
 */
function testHandler() {
  const events: string[] = [];
  const handler: ConnectionHandler<Session> = {
    noun: "client",
    goodbye: () => bytes("fin\n"),
    refusal: (max) => bytes(`plein (${max})\n`),
    init: () => ({ received: 0, spared: false }),
    open: (c) => c.writer.write(bytes("salut\n")),
    data: (c, chunk) => {
      c.session.received += chunk.length;
      if (new TextDecoder().decode(chunk).includes("épargne")) c.session.spared = true;
      const text = new TextDecoder().decode(chunk);
      c.writer.write(text.startsWith("big") ? new Uint8Array(256 * 1024) : bytes("ok\n"));
      return chunk.length;
    },
    idle: (c) => {
      if (!c.session.spared) leave(c, bytes("zzz\n"));
    },
    stopping: (c) => events.push(`stopping ${c.session.received}`),
    close: (c: Client<Session>) => events.push(`close ${c.session.received}`),
  };
  return { handler, events };
}

const servers: TcpServer<Session>[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function start(options: Partial<ServerOptions> = {}) {
  const { handler, events } = testHandler();
  const server = new TcpServer(handler, inProcess(options));
  servers.push(server);
  return { server, events };
}

async function connect(port: number): Promise<TestClient> {
  const c = await TestClient.connect("127.0.0.1", port);
  clients.push(c);
  return c;
}

describe("listen", () => {
  test("a busy port and a host that is not ours are one-line RuntimeErrors", () => {
    const { server } = start();
    const busy = () => new TcpServer(testHandler().handler, inProcess({ port: server.port }));
    expect(busy).toThrow(RuntimeError);
    expect(busy).toThrow(
      `cannot listen on 127.0.0.1:${server.port}: port ${server.port} is already in use`,
    );
    const foreign = () => new TcpServer(testHandler().handler, inProcess({ host: "192.0.2.1" }));
    expect(foreign).toThrow(
      "cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine",
    );
  });

  test("port 0 is any free port, read back from `port` and logged", () => {
    const { log, lines } = recordingLog();
    const { server } = start({ log });
    expect(server.port).toBeGreaterThan(0);
    expect(lines).toEqual([`info listening on 127.0.0.1:${server.port}`]);
  });
});

describe("registry", () => {
  test("past maxClients: the refusal line, a warning, and the registry unchanged", async () => {
    const { log, lines } = recordingLog();
    const { server, events } = start({ maxClients: 2, log });
    const a = await connect(server.port);
    const b = await connect(server.port);
    await a.waitFor("salut\n");
    await b.waitFor("salut\n");
    const c = await connect(server.port);
    await c.waitClosed();
    expect(c.text).toBe("plein (2)\n");
    expect(server.clientCount).toBe(2);
    expect(lines.filter((l) => l.startsWith("warn "))).toHaveLength(1);
    // A refused client never joined: its close is not the handler's business.
    expect(events).toEqual([]);
    a.destroy();
    await until(() => server.clientCount === 1, "the registry to let a go");
    expect(events).toEqual(["close 0"]);
    const d = await connect(server.port);
    await d.waitFor("salut\n");
  });
});

describe("idle sweep", () => {
  test("a silent client gets the handler's notice; a spared one and a talker stay", async () => {
    const { server } = start({ idleTimeoutMs: 300 });
    const silent = await connect(server.port);
    const spared = await connect(server.port);
    const talker = await connect(server.port);
    await spared.send("épargne-moi\n");
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      await talker.send("là\n");
      await sleep(100);
    }
    await silent.waitClosed(2000);
    expect(silent.text).toBe("salut\nzzz\n");
    // Closed at the timeout, give or take one sweep (every 75 ms here) and the load.
    expect(performance.now() - started).toBeLessThan(1500);
    expect(spared.closed).toBe(false);
    expect(talker.closed).toBe(false);
    await talker.waitClosed(2000);
    expect(talker.text).toEndWith("ok\nzzz\n");
    expect(spared.closed).toBe(false);
  });
});

describe("stop", () => {
  test("goodbye to every client, stopping() first; resolves as soon as they are all gone", async () => {
    const { log, lines } = recordingLog();
    const { server, events } = start({ log });
    const a = await connect(server.port);
    const b = await connect(server.port);
    await a.send("1234");
    await a.waitFor("ok\n");
    await b.waitFor("salut\n");
    const started = performance.now();
    await server.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    await a.waitClosed();
    await b.waitClosed();
    expect(a.text).toBe("salut\nok\nfin\n");
    expect(b.text).toBe("salut\nfin\n");
    expect(events.filter((e) => e.startsWith("stopping")).sort()).toEqual([
      "stopping 0",
      "stopping 4",
    ]);
    expect(server.clientCount).toBe(0);
    expect(lines.at(-1)).toBe("info stopped");
    await expect(TestClient.connect("127.0.0.1", server.port)).rejects.toThrow();
  });

  test("a client that never reads cannot hold the stop past the grace period", async () => {
    const { server } = start({ maxPendingOutput: 1024, shutdownGraceMs: 300 });
    const greedy = await connect(server.port);
    await greedy.waitFor("salut\n");
    greedy.pause();
    // Back its output up past the kernel's buffers: the goodbye cannot go out.
    for (let i = 0; i < 40; i++) {
      await greedy.send("big\n");
      await sleep(2);
    }
    await until(() => server.clientCount === 1, "the greedy client");
    const started = performance.now();
    await server.stop();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
    expect(server.clientCount).toBe(0);
  });
});
