// `tp-echo client` as a user runs it, piped, against a real tp-echo server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { freePort } from "../../scripts/lib/net.ts";
import type { Child } from "../../scripts/lib/run.ts";
import { runClient } from "../../src/echo/client.ts";
import { runExe, spawnExe } from "../helpers/exe.ts";

let server: Child;
let port: number;

beforeAll(async () => {
  port = await freePort();
  server = spawnExe("tp-echo", ["--port", String(port)]);
  await server.stderr.waitFor(/listening on/);
});
afterAll(() => server.stop());

const dialogue = (p: number, ...messages: string[]) =>
  `Vous êtes connecté au serveur 127.0.0.1:${p}.\nVotre message ?\n${messages
    .map((m) => `ECHO : ${m}\nVotre message ?\n`)
    .join("")}Good Bye.`;

describe("tp-echo client", () => {
  test("from a pipe: prints the dialogue and exits 0 on Good Bye.", async () => {
    const r = await runExe("tp-echo", ["client", "localhost", String(port)], {
      stdin: "salut\nFIN\n",
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(dialogue(port, "salut"));
    expect(r.stderr).toBe("");
  });

  test("end of input without FIN: the server still says Good Bye., exit 0", async () => {
    const r = await runExe("tp-echo", ["client", "127.0.0.1", String(port)], {
      stdin: "un\ndeux\n",
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(dialogue(port, "un", "deux"));
  });

  test("a large piped input goes through whole, in order", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `ligne ${i} ${"é".repeat(i % 50)}`);
    const r = await runExe("tp-echo", ["client", "127.0.0.1", String(port)], {
      stdin: `${lines.join("\n")}\nFIN\n`,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(dialogue(port, ...lines));
  });

  test("exits when the server says Good Bye., even while its input stays open (a terminal)", async () => {
    const child = spawnExe("tp-echo", ["client", "127.0.0.1", String(port)]);
    try {
      await child.stdout.waitFor(/Votre message \?\n/);
      child.proc.stdin.write("FIN\n");
      child.proc.stdin.flush();
      // stdin is never closed: the client must still notice the goodbye and leave.
      const code = await Promise.race([
        child.proc.exited,
        Bun.sleep(5000).then(() => "still running"),
      ]);
      expect(code).toBe(0);
      expect(child.stdout.text).toEndWith("Good Bye.");
    } finally {
      await child.stop();
    }
  });

  test("connection refused: one line, exit 1", async () => {
    const closed = await freePort();
    const r = await runExe("tp-echo", ["client", "127.0.0.1", String(closed)], { stdin: "x\n" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `tp-echo: error: connection refused by 127.0.0.1:${closed} (is the server running?)\n`,
    );
  });

  test("unknown host: one line, exit 1", async () => {
    const r = await runExe("tp-echo", ["client", "no-such-host.invalid", "2003"], { stdin: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tp-echo: error: unknown host 'no-such-host.invalid'\n");
  });

  test("a server that hangs up without Good Bye. is an error, exit 1", async () => {
    const rude = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          s.write("hello\n");
          s.end();
        },
        data() {},
      },
    });
    try {
      const r = await runExe("tp-echo", ["client", "127.0.0.1", String(rude.port)], { stdin: "" });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("hello\n");
      expect(r.stderr).toMatch(/closed the connection without saying Good Bye\./);
    } finally {
      rude.stop(true);
    }
  });
});

describe("runClient (module)", () => {
  test("streams input and hands every server byte to the output", async () => {
    const chunks: Uint8Array[] = [];
    const input = new Blob(["bonjour\n", "FIN\n"]).stream();
    await runClient({ host: "127.0.0.1", port, input, output: (b) => chunks.push(b.slice()) });
    expect(Buffer.concat(chunks).toString()).toBe(dialogue(port, "bonjour"));
  });
});
