// tp-echo as a user runs it: the compiled executable, real sockets on loopback.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort, waitForPort } from "../../scripts/lib/net.ts";
import type { Child } from "../../scripts/lib/run.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";
import { sleep, TestClient } from "../helpers/tcp.ts";

const children: Child[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(children.splice(0).map((c) => c.stop()));
});

async function startEcho(
  extra: string[] = [],
  host = "127.0.0.1",
): Promise<{ child: Child; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort(host);
    const child = spawnExe("tp-echo", ["--host", host, "--port", String(port), ...extra]);
    children.push(child);
    const ready = extra.includes("--quiet")
      ? waitForPort(host, port)
      : child.stderr.waitFor(/listening on/).then(() => {});
    const exited = child.proc.exited.then((code) => {
      throw new Error(`tp-echo exited (${code}): ${child.stderr.text}`);
    });
    try {
      await Promise.race([ready, exited]);
      return { child, port };
    } catch (error) {
      if (attempt < 3 && /already in use/.test(child.stderr.text)) continue;
      throw error;
    }
  }
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
    const { port } = await startEcho(["--quiet"]);
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
      const { port } = await startEcho(["--quiet", "--port", String(labPort)].slice(0, 1));
      const fromUs = (await transcript(port)).replaceAll(`:${port}.`, `:${labPort}.`);
      expect(fromUs).toBe(fromLab);
      expect(fromLab).toContain("ECHO : accents: éàü €\n");
    } finally {
      lab.kill();
    }
  });

  test("a blank line ends the dialogue too", async () => {
    const { port } = await startEcho(["--quiet"]);
    const c = await connect(port);
    await c.send("   \r\n");
    await c.waitClosed();
    expect(c.text).toBe(`${GREETING(port)}Good Bye.`);
  });

  test("a client that closes its sending side gets its unterminated line echoed, then Good Bye.", async () => {
    const { port } = await startEcho(["--quiet"]);
    const c = await connect(port);
    await c.send("dernier mot");
    c.end();
    await c.waitClosed();
    expect(c.text).toBe(`${GREETING(port)}ECHO : dernier motVotre message ?\nGood Bye.`);
  });
});

describe("lines, whatever the segmentation", () => {
  test("a line sent in pieces gets one echo; several lines in one write get one each", async () => {
    const { port } = await startEcho(["--quiet"]);
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
    const { port } = await startEcho(["--quiet"]);
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
    const { child, port } = await startEcho(["--quiet"]);
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
    expect(child.proc.exitCode).toBeNull();
  });

  test("--sequential: a second client waits, unanswered, until the first leaves (the lab's behaviour)", async () => {
    const { port } = await startEcho(["--quiet", "--sequential"]);
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
    const { port } = await startEcho(["--quiet", "--sequential"]);
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
    const { port } = await startEcho(["--quiet", "--max-line", "1k"]);
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
    const { port } = await startEcho(["--quiet"]);
    const c = await connect(port);
    await c.send(`${"z".repeat(64 * 1024)}\n`);
    await c.waitForCount("Votre message ?\n", 2);
    await c.send("z".repeat(64 * 1024 + 2));
    await c.waitClosed();
    expect(c.text).toEndWith("Ligne trop longue : 65536 octets au maximum. Good Bye.\n");
  });

  test("--idle-timeout disconnects a silent client with a message", async () => {
    const { child, port } = await startEcho(["--idle-timeout", "1s"]);
    const c = await connect(port);
    await c.waitClosed(8000);
    expect(c.text).toBe(`${GREETING(port)}Inactif depuis 1 s : connexion fermée. Good Bye.\n`);
    await child.stderr.waitFor(/idle for 1 s: disconnected/);
  });

  test("--max-clients: one more gets a one-line refusal, then a place frees up", async () => {
    const { port } = await startEcho(["--max-clients", "2"]);
    const a = await connect(port);
    const b = await connect(port);
    await a.waitFor("Votre message ?\n");
    await b.waitFor("Votre message ?\n");
    const c = await connect(port);
    await c.waitClosed();
    expect(c.text).toBe("Serveur complet : 2 clients au maximum, réessayez plus tard.\n");
    await a.send("FIN\n");
    await a.waitClosed();
    await sleep(100);
    const d = await connect(port);
    await d.waitFor("Votre message ?\n");
  });

  test("a client that sends but never reads: output capped, server stops reading it, memory flat", async () => {
    const { child, port } = await startEcho(["--quiet", "--max-pending", "64k"]);
    const rss = () => {
      const status = require("node:fs").readFileSync(
        `/proc/${child.proc.pid}/status`,
        "utf8",
      ) as string;
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) * 1024;
    };
    const greedy = await connect(port);
    await greedy.waitFor("Votre message ?\n");
    greedy.pause(); // never read again
    const before = rss();
    const line = new TextEncoder().encode(`${"m".repeat(1023)}\n`.repeat(64)); // 64 KiB of lines
    let accepted = 0;
    const deadline = Date.now() + 4000;
    // Offer up to 200 MiB; only what the kernel buffers plus the server's cap can go in.
    while (Date.now() < deadline && accepted < 200 * 1024 * 1024) {
      const n = greedy.trySend(line);
      if (n <= 0) await sleep(20);
      else accepted += n;
    }
    const grown = rss() - before;
    expect(accepted).toBeLessThan(64 * 1024 * 1024);
    expect(grown).toBeLessThan(48 * 1024 * 1024);
    // Still serving others.
    const other = await connect(port);
    await other.send("encore là ?\n");
    await other.waitFor("ECHO : encore là ?\n");
  });
});

describe("signals", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`${signal}: connected clients get Good Bye., the server exits 0`, async () => {
      const { child, port } = await startEcho([]);
      const c = await connect(port);
      await c.waitFor("Votre message ?\n");
      child.proc.kill(signal);
      await c.waitClosed();
      expect(c.text).toBe(`${GREETING(port)}Good Bye.`);
      expect(await child.proc.exited).toBe(0);
      await child.stderr.waitFor(/stopped/);
    });
  }
});

describe("IPv6", () => {
  test("--host ::1 serves the dialogue", async () => {
    const { port } = await startEcho(["--quiet"], "::1");
    const c = await connect(port, "::1");
    await c.send("v6\nFIN\n");
    await c.waitClosed();
    expect(c.text).toBe(
      `Vous êtes connecté au serveur [::1]:${port}.\nVotre message ?\nECHO : v6\nVotre message ?\nGood Bye.`,
    );
  });
});

describe("logs", () => {
  test("one line per event with the client's address; --quiet silences them", async () => {
    const { child, port } = await startEcho([]);
    const c = await connect(port);
    await c.send("bonjour\nFIN\n");
    await c.waitClosed();
    const log = await child.stderr.waitFor(/gone/);
    const text = child.stderr.text;
    expect(log).toBeTruthy();
    expect(text).toMatch(/listening on 127\.0\.0\.1:\d+/);
    expect(text).toMatch(/127\.0\.0\.1:\d+ connected/);
    expect(text).toMatch(/127\.0\.0\.1:\d+ message "bonjour"/);
    expect(text).toMatch(/127\.0\.0\.1:\d+ gone/);
    const quiet = await startEcho(["--quiet"]);
    const q = await connect(quiet.port);
    await q.send("FIN\n");
    await q.waitClosed();
    await sleep(100);
    expect(quiet.child.stderr.text).toBe("");
  });
});

describe("bad flags: one line, non-zero exit, no stack trace", () => {
  const cases: Array<[string[], number, RegExp]> = [
    [["--port", "0"], 2, /--port must be between 1 and 65535, got 0/],
    [["--port", "70000"], 2, /--port must be between 1 and 65535/],
    [["--port", "abc"], 2, /--port expects a whole number/],
    [
      ["--host", "no-such-host.invalid", "--port", "2999"],
      1,
      /cannot listen on no-such-host\.invalid/,
    ],
    [["--bogus"], 2, /unknown option '--bogus'/],
    [["--max-line", "lots"], 2, /--max-line expects a size/],
    [["--idle-timeout", "soon"], 2, /--idle-timeout expects a duration/],
    [["--max-clients", "0"], 2, /--max-clients must be between 1/],
    [["client"], 2, /HOST/],
    [["client", "127.0.0.1", "99999"], 2, /PORT must be between 1 and 65535/],
  ];
  for (const [args, code, message] of cases) {
    test(`tp-echo ${args.join(" ")}`, async () => {
      const r = await runExe("tp-echo", args, { timeoutMs: 10_000 });
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  test("a port already in use", async () => {
    const { port } = await startEcho(["--quiet"]);
    const r = await runExe("tp-echo", ["--port", String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `tp-echo: error: cannot listen on 127.0.0.1:${port}: port ${port} is already in use`,
    );
  });
});
