// The echo client in step with the dialogue: one line per `Votre message ?`, so that the lab's
// own Python server (which takes each recv() as one message) gives the same dialogue as ours;
// and a server that never prompts still gets every line.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/net.ts";
import { PromptPacer } from "../../src/echo/pacer.ts";
import { runExe } from "../helpers/exe.ts";

const enc = (t: string) => new TextEncoder().encode(t);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function startLab(): Promise<{ port: number; proc: Bun.Subprocess }> {
  const port = await freePort();
  const proc = Bun.spawn(
    ["python3", join(import.meta.dir, "fixtures", "lab_server.py"), String(port)],
    { stdout: "pipe", stderr: "pipe" },
  );
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  await reader.read(); // "serveur simple en attente..."
  reader.releaseLock();
  return { port, proc };
}

const hasPython = Bun.which("python3") !== null;

describe.skipIf(!hasPython)("tp-echo client against the lab's Python server", () => {
  test("piped lines get one echo each, as with our server", async () => {
    const lab = await startLab();
    try {
      const r = await runExe("tp-echo", ["client", "127.0.0.1", String(lab.port)], {
        stdin: "salut\nça va ?\nFIN\n",
        timeoutMs: 10_000,
      });
      expect(r.stdout).toBe(
        `Vous êtes connecté au serveur 127.0.0.1:${lab.port}.\nVotre message ?\n` +
          "ECHO : salut\nVotre message ?\nECHO : ça va ?\nVotre message ?\nGood Bye.",
      );
      expect(r.code).toBe(0);
    } finally {
      lab.proc.kill();
    }
  });
});

if (!hasPython) test.skip("lab server tests need python3", () => {});

describe("PromptPacer", () => {
  function harness(waitMs = 1000) {
    const sent: string[] = [];
    let fire: (() => void) | undefined;
    const pacer = new PromptPacer(
      {
        send: async (bytes) => {
          sent.push(dec(bytes));
          return true;
        },
        setTimer: (_ms, f) => {
          fire = f;
          return () => {
            fire = undefined;
          };
        },
      },
      waitMs,
    );
    return { pacer, sent, fireTimer: () => fire?.() };
  }

  test("one line per prompt, a prompt split across reads counts once", async () => {
    const { pacer, sent } = harness();
    void pacer.offer(enc("un\ndeux\ntrois\n"));
    await Bun.sleep(0);
    expect(sent).toEqual([]);
    pacer.fromServer(enc("Vous êtes connecté.\nVotre mes"));
    pacer.fromServer(enc("sage ?\n"));
    await Bun.sleep(0);
    expect(sent).toEqual(["un\n"]);
    // An echo that quotes the prompt is not a prompt: only whole prompt lines count.
    pacer.fromServer(enc("ECHO : Votre message ?\nVotre message ?\n"));
    await Bun.sleep(0);
    expect(sent).toEqual(["un\n", "deux\n"]);
    expect(pacer.backlog).toBe(1);
  });

  test("no prompt in time: the waiting lines go at once, later ones as they come", async () => {
    const { pacer, sent, fireTimer } = harness();
    void pacer.offer(enc("a\nb\n"));
    await Bun.sleep(0);
    expect(sent).toEqual([]);
    fireTimer();
    await Bun.sleep(0);
    expect(sent).toEqual(["a\nb\n"]);
    await pacer.offer(enc("c\n"));
    expect(sent).toEqual(["a\nb\n", "c\n"]);
  });
});
