// tp-echo as a user runs it, for what only the executable shows: its flags, its signals, its
// exit codes, its memory. The protocol itself is tested in process (server.test.ts).
import { afterEach, describe, expect, test } from "bun:test";
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

/** Start tp-echo on any free port (--port 0) and read the port from its log. */
async function startEcho(extra: string[] = []): Promise<{ child: Child; port: number }> {
  const child = spawnExe("tp-echo", ["--port", "0", ...extra]);
  children.push(child);
  const m = await child.stderr.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
  return { child, port: Number(m[1]) };
}

/** Start tp-echo --quiet: it does not say its port, so pick one (again if taken meanwhile). */
async function startQuietEcho(extra: string[] = []): Promise<{ child: Child; port: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawnExe("tp-echo", ["--quiet", "--port", String(port), ...extra]);
    children.push(child);
    const up = await Promise.race([
      waitForPort("127.0.0.1", port).then(() => true),
      child.proc.exited.then(() => false),
    ]);
    if (up) return { child, port };
  }
  throw new Error("quiet server never came up");
}

async function connect(port: number): Promise<TestClient> {
  const c = await TestClient.connect("127.0.0.1", port);
  clients.push(c);
  return c;
}

const GREETING = (port: number) =>
  `Vous êtes connecté au serveur 127.0.0.1:${port}.\nVotre message ?\n`;

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
      expect(child.stderr.text).toContain(`${signal}: stopping, 1 client interrupted`);
    });
  }

  test("a signal as soon as 'listening on' shows is not lost: exit 0", async () => {
    const { child } = await startEcho();
    child.proc.kill("SIGTERM");
    expect(await child.proc.exited).toBe(0);
  });
});

describe("flags reach the server", () => {
  test("--port 0 listens on a free port and logs it; --max-clients and --max-line apply", async () => {
    const { port } = await startEcho(["--max-clients", "1", "--max-line", "8"]);
    expect(port).toBeGreaterThan(0);
    const a = await connect(port);
    await a.waitFor("Votre message ?\n");
    const b = await connect(port);
    await b.waitClosed();
    expect(b.text).toBe("Serveur complet : 1 client au maximum, réessayez plus tard.\n");
    await a.send("123456789\n");
    await a.waitClosed();
    expect(a.text).toEndWith("Ligne trop longue : 8 octets au maximum. Good Bye.\n");
  });

  test("--quiet: no log line at all, and still exit 0 on SIGTERM", async () => {
    const { child, port } = await startQuietEcho();
    const c = await connect(port);
    await c.send("bonjour\nFIN\n");
    await c.waitClosed();
    expect(await child.stop("SIGTERM")).toBe(0);
    await child.stderr.done;
    expect(child.stderr.text).toBe("");
  });

  test("a client that sends but never reads: output capped, server stops reading it, memory flat", async () => {
    const { child, port } = await startQuietEcho(["--max-pending", "64k"]);
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
    let lastProgress = Date.now();
    const deadline = Date.now() + 4000;
    // Offer up to 200 MiB; only what the kernel buffers plus the server's cap can go in. A
    // server that keeps reading keeps taking it (until the deadline); one that stopped
    // reading takes nothing more: half a second without progress ends the offer.
    while (Date.now() < deadline && accepted < 200 * 1024 * 1024) {
      const n = greedy.trySend(line);
      if (n > 0) {
        accepted += n;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 500) break;
      else await sleep(20);
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

describe("bad flags: one line, non-zero exit, no stack trace", () => {
  const cases: Array<[string[], number, RegExp]> = [
    [["--port", "65536"], 2, /--port must be between 0 and 65535, got 65536/],
    [["--port", "-1"], 2, /--port expects a whole number/],
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
    [["--max-pending", "10"], 2, /--max-pending must be between 1024/],
    [["client"], 2, /HOST/],
    [["client", "127.0.0.1", "99999"], 2, /PORT must be between 1 and 65535/],
    [["client", "127.0.0.1", "0"], 2, /PORT must be between 1 and 65535, got 0/],
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
    const { port } = await startEcho();
    const r = await runExe("tp-echo", ["--port", String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `tp-echo: error: cannot listen on 127.0.0.1:${port}: port ${port} is already in use`,
    );
  });
});
