// The echo server's protocol, run inside the test process on a free port: the dialogue, the
// framing, many clients, the limits, the logs. What only the executable shows (flags,
// signals, exit codes, its memory) is in cli.test.ts.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/net.ts";
import { type EchoServerOptions, startEchoServer } from "../../src/echo/server.ts";
import { DEFAULT_MAX_LINE_BYTES } from "../../src/shared/limits.ts";
import type { TcpServer } from "../../src/shared/server/lifecycle.ts";
import { inProcess, recordingLog, sleep, TestClient, until } from "../helpers/tcp.ts";

const servers: TcpServer<unknown>[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function startEcho(options: Partial<EchoServerOptions> = {}): { port: number } {
  const server = startEchoServer({
    ...inProcess(),
    sequential: false,
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    ...options,
  });
  servers.push(server as TcpServer<unknown>);
  return { port: server.port };
}

async function connect(port: number, host = "127.0.0.1"): Promise<TestClient> {
  const c = await TestClient.connect(host, port);
  clients.push(c);
  return c;
}

const GREETING = (port: number) =>
  `Vous êtes connecté au serveur 127.0.0.1:${port}.\nVotre message ?\n`;

describe("the lab's dialogue", () => {
  test("byte for byte: greeting, prompt, echo with line end, Good Bye. and close", async () => {
    const { port } = startEcho();
    const c = await connect(port);
    await c.waitFor("Votre message ?\n");
    await c.send("salut\n");
    await c.waitForCount("Votre message ?\n", 2);
    await c.send("ça va ?\r\n");
    await c.waitForCount("Votre message ?\n", 3);
    await c.send("fin\n");
    await c.waitClosed();
    expect(c.text).toBe(
      `${GREETING(port)}ECHO : salut\nVotre message ?\nECHO : ça va ?\r\nVotre message ?\nGood Bye.`,
    );
  });

  test("the same bytes as the lab's own Python server for the same conversation", async () => {
    const conversation = ["bonjour\n", "accents: éàü €\n", "  espaces  \n", "Fin\n"];
    async function transcript(port: number): Promise<string> {
      const c = await connect(port);
      await c.waitFor("Votre message ?\n");
      // One message per prompt: the lab's server reads with recv(1024), not by lines.
      for (const [i, msg] of conversation.entries()) {
        await c.send(msg);
        if (i < conversation.length - 1) await c.waitForCount("Votre message ?\n", i + 2);
      }
      await c.waitClosed();
      return c.text;
    }
    const labPort = await freePort();
    const lab = Bun.spawn(
      ["python3", join(import.meta.dir, "fixtures", "lab_server.py"), String(labPort)],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    try {
      const reader = lab.stdout.getReader();
      await reader.read(); // "serveur simple en attente..."
      const fromLab = await transcript(labPort);
      const { port } = startEcho();
      const fromUs = (await transcript(port)).replaceAll(`:${port}.`, `:${labPort}.`);
      expect(fromUs).toBe(fromLab);
      expect(fromLab).toContain("ECHO : accents: éàü €\n");
    } finally {
      lab.kill();
    }
  });

  test("a blank line ends the dialogue too", async () => {
    const { port } = startEcho();
    const c = await connect(port);
    await c.send("   \r\n");
    await c.waitClosed();
    expect(c.text).toBe(`${GREETING(port)}Good Bye.`);
  });

  test("a client that closes its sending side gets its unterminated line echoed, then Good Bye.", async () => {
    const { port } = startEcho();
    const c = await connect(port);
    await c.send("dernier mot");
    c.end();
    await c.waitClosed();
    expect(c.text).toBe(`${GREETING(port)}ECHO : dernier motVotre message ?\nGood Bye.`);
  });
});

describe("lines, whatever the segmentation", () => {
  test("a line sent in pieces gets one echo; several lines in one write get one each", async () => {
    const { port } = startEcho();
    const c = await connect(port);
    await c.waitFor("Votre message ?\n");
    for (const piece of ["un ", "message ", "en ", "morceaux\n"]) {
      await c.send(piece);
      await sleep(30);
    }
    await c.waitForCount("Votre message ?\n", 2);
    await c.send("a\nb\r\nc\n");
    await c.waitForCount("Votre message ?\n", 5);
    expect(c.text).toBe(
      `${GREETING(port)}ECHO : un message en morceaux\nVotre message ?\n` +
        "ECHO : a\nVotre message ?\nECHO : b\r\nVotre message ?\nECHO : c\nVotre message ?\n",
    );
  });

  test("a multi-byte character split across two packets comes back intact", async () => {
    const { port } = startEcho();
    const c = await connect(port);
    await c.waitFor("Votre message ?\n");
    const bytes = new TextEncoder().encode("😀é\n");
    await c.send(bytes.slice(0, 2));
    await sleep(50);
    await c.send(bytes.slice(2, 5));
    await sleep(50);
    await c.send(bytes.slice(5));
    await c.waitForCount("Votre message ?\n", 2);
    expect(c.text).toEndWith("ECHO : 😀é\nVotre message ?\n");
  });
});

describe("many clients", () => {
  test("150 clients at once, 20 messages each, every echo checked and none crossed", async () => {
    const { port } = startEcho();
    const N = 150;
    const M = 20;
    const all = await Promise.all(Array.from({ length: N }, () => connect(port)));
    await Promise.all(
      all.map(async (c, i) => {
        await c.waitFor("Votre message ?\n");
        for (let m = 0; m < M; m++) {
          await c.send(`client ${i} message ${m} ✓\n`);
          await c.waitForCount("Votre message ?\n", m + 2);
        }
        await c.send("FIN\n");
        await c.waitClosed(20_000);
      }),
    );
    for (const [i, c] of all.entries()) {
      let expected = GREETING(port);
      for (let m = 0; m < M; m++)
        expected += `ECHO : client ${i} message ${m} ✓\nVotre message ?\n`;
      expect(c.text).toBe(`${expected}Good Bye.`);
    }
  });

  test("--sequential: a second client waits, unanswered, until the first leaves (the lab's behaviour)", async () => {
    const { port } = startEcho({ sequential: true });
    const first = await connect(port);
    await first.waitFor("Votre message ?\n");
    const second = await connect(port);
    await second.send("je suis là\n");
    await sleep(300);
    expect(second.text).toBe("");
    await first.send("FIN\n");
    await first.waitClosed();
    await second.waitForCount("Votre message ?\n", 2);
    expect(second.text).toBe(`${GREETING(port)}ECHO : je suis là\nVotre message ?\n`);
  });

  test("--sequential: a waiting client that gives up is skipped, the next one is served", async () => {
    const { port } = startEcho({ sequential: true });
    const first = await connect(port);
    await first.waitFor("Votre message ?\n");
    const quitter = await connect(port);
    const third = await connect(port);
    await sleep(200);
    quitter.destroy();
    await sleep(200);
    await first.send("FIN\n");
    await first.waitClosed();
    await third.send("mon tour\n");
    await third.waitFor("ECHO : mon tour\n");
    expect(third.text).toStartWith(GREETING(port));
  });
});

describe("limits", () => {
  test("a line over --max-line: one-line error, disconnected, the server lives on", async () => {
    const { port } = startEcho({ maxLineBytes: 1024 });
    const c = await connect(port);
    await c.waitFor("Votre message ?\n");
    await c.send(`${"x".repeat(1024)}\n`);
    await c.waitForCount("Votre message ?\n", 2);
    await c.send(`${"y".repeat(1025)}\n`);
    await c.waitClosed();
    const after = c.text.split("ECHO : ")[1]?.split("Votre message ?\n")[1];
    expect(after).toBe("Ligne trop longue : 1024 octets au maximum. Good Bye.\n");
    const next = await connect(port);
    await next.waitFor("Votre message ?\n");
  });

  test("the default limit is 64 KiB", async () => {
    const { port } = startEcho();
    const c = await connect(port);
    await c.send(`${"z".repeat(64 * 1024)}\n`);
    await c.waitForCount("Votre message ?\n", 2);
    await c.send("z".repeat(64 * 1024 + 2));
    await c.waitClosed();
    expect(c.text).toEndWith("Ligne trop longue : 65536 octets au maximum. Good Bye.\n");
  });

  test("an idle client is told and disconnected, at the idle timeout (one sweep for all)", async () => {
    const { log, lines } = recordingLog();
    const { port } = startEcho({ idleTimeoutMs: 1000, log });
    const started = performance.now();
    const silent = await connect(port);
    const talker = await connect(port);
    await talker.waitFor("Votre message ?\n");
    await sleep(600);
    await talker.send("encore là\n");
    await silent.waitClosed(5000);
    const silentFor = performance.now() - started;
    expect(silent.text).toBe(`${GREETING(port)}Inactif depuis 1 s : connexion fermée. Good Bye.\n`);
    // The sweep runs every 250 ms: the silent client goes between 1 and ~1.25 s (plus load).
    expect(silentFor).toBeGreaterThanOrEqual(1000);
    expect(talker.closed).toBe(false);
    await talker.waitClosed(5000);
    expect(talker.text).toEndWith(
      "Votre message ?\nInactif depuis 1 s : connexion fermée. Good Bye.\n",
    );
    expect(lines.filter((l) => /idle for 1 s: disconnected/.test(l))).toHaveLength(2);
  });

  test("max clients: one more gets a one-line refusal, then a place frees up", async () => {
    const { log, lines } = recordingLog();
    const { port } = startEcho({ maxClients: 2, log });
    const a = await connect(port);
    const b = await connect(port);
    await a.waitFor("Votre message ?\n");
    await b.waitFor("Votre message ?\n");
    const c = await connect(port);
    await c.waitClosed();
    expect(c.text).toBe("Serveur complet : 2 clients au maximum, réessayez plus tard.\n");
    expect(
      lines.some((l) => /^warn 127\.0\.0\.1:\d+ refused: 2 clients already connected$/.test(l)),
    ).toBe(true);
    await a.send("FIN\n");
    await a.waitClosed();
    await until(() => lines.some((l) => l.endsWith(" gone")), "the first client to be gone");
    const d = await connect(port);
    await d.waitFor("Votre message ?\n");
  });
});

describe("stop", () => {
  test("every client gets Good Bye., a waiting one too; stop() resolves once they are gone", async () => {
    const { log, lines } = recordingLog();
    const server = startEchoServer({
      ...inProcess({ log }),
      sequential: true,
      maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    });
    const served = await connect(server.port);
    await served.waitFor("Votre message ?\n");
    const waiting = await connect(server.port);
    await until(() => server.clientCount === 2, "two clients");
    const started = performance.now();
    await server.stop();
    // Both closed on their own: no waiting out the 2 s grace period.
    expect(performance.now() - started).toBeLessThan(1500);
    await served.waitClosed();
    await waiting.waitClosed();
    expect(served.text).toBe(`${GREETING(server.port)}Good Bye.`);
    // Bun closes the first socket inside stop(), which hands the turn on before the waiting
    // client's own goodbye: greeted, then Good Bye. (as before the shared life cycle).
    expect(waiting.text).toBe(`${GREETING(server.port)}Good Bye.`);
    expect(server.clientCount).toBe(0);
    expect(lines.at(-1)).toBe("info stopped");
  });
});

describe("IPv6", () => {
  test("host ::1 serves the dialogue", async () => {
    const { port } = startEcho({ host: "::1" });
    const c = await connect(port, "::1");
    await c.send("v6\nFIN\n");
    await c.waitClosed();
    expect(c.text).toBe(
      `Vous êtes connecté au serveur [::1]:${port}.\nVotre message ?\nECHO : v6\nVotre message ?\nGood Bye.`,
    );
  });
});

describe("logs", () => {
  test("one line per event with the client's address", async () => {
    const { log, lines } = recordingLog();
    const { port } = startEcho({ log });
    const c = await connect(port);
    await c.send("bonjour\nFIN\n");
    await c.waitClosed();
    await until(() => lines.some((l) => l.endsWith(" gone")), "the gone line");
    expect(lines[0]).toBe(`info listening on 127.0.0.1:${port}`);
    const text = lines.join("\n");
    expect(text).toMatch(/127\.0\.0\.1:\d+ connected/);
    expect(text).toMatch(/127\.0\.0\.1:\d+ message "bonjour"/);
    expect(text).toMatch(/127\.0\.0\.1:\d+ leaving: said goodbye/);
  });
});
