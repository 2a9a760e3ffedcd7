// The life of a server under load: stopped with 1000 clients in mid-dialogue, a soak of
// connect/dialogue/leave churn, and a log nobody reads.
import { SHUTDOWN_GRACE_MS } from "../../src/shared/limits.ts";
import { Conn, openMany } from "./clients.ts";
import { openFiles, RssSampler } from "./proc.ts";
import { GOODBYE, type Program, start } from "./programs.ts";
import { mb, type Outcome, type Scale, type TortureCase } from "./types.ts";

const PROMPT: Record<Program, string> = { echo: "Votre message ?", guess: "maximum ?" };
const FIRST: Record<Program, [string, string]> = {
  echo: ["milieu\n", "ECHO : milieu"],
  guess: ["1000\n", "nombre ?"],
};

async function stopUnderLoad(program: Program, s: Scale): Promise<Outcome> {
  const count = s.quick ? 200 : 1000;
  const server = await start(program, ["--quiet"]);
  try {
    const conns = await openMany(server.port, count);
    await Promise.all(conns.map((c) => c.waitFor(PROMPT[program], 10_000)));
    const [line, reply] = FIRST[program];
    await Promise.all(conns.map((c) => c.send(line)));
    await Promise.all(conns.map((c) => c.waitFor(reply, 10_000)));
    const t0 = performance.now();
    server.proc.kill("SIGTERM");
    const code = await server.proc.exited;
    const took = performance.now() - t0;
    await Promise.all(conns.map((c) => c.waitClosed(2000)));
    const told = conns.filter((c) => c.text.includes(GOODBYE[program])).length;
    for (const c of conns) c.reset();
    const pass = code === 0 && told === count && took < SHUTDOWN_GRACE_MS + 500;
    return {
      pass,
      figures: `${told}/${count} clients in mid-dialogue told '${GOODBYE[program]}'; exit ${code} after ${took.toFixed(0)} ms (grace ${SHUTDOWN_GRACE_MS} ms)`,
    };
  } finally {
    await server.stop();
  }
}

async function dialogue(port: number): Promise<boolean> {
  const c = await Conn.open(port).catch(() => undefined);
  if (!c) return false;
  const ok =
    (await c.waitFor("Votre message ?", 5000)) &&
    (await c.send("un\ndeux\nFIN\n")) &&
    (await c.waitClosed(5000)) &&
    c.text.endsWith("Good Bye.");
  c.reset();
  return ok;
}

async function soak(s: Scale): Promise<Outcome> {
  const seconds = s.quick ? 10 : 30;
  const server = await start("echo", ["--quiet"]);
  try {
    await Bun.sleep(300);
    const sampler = new RssSampler(server.proc.pid, 500);
    const fds0 = openFiles(server.proc.pid);
    const until = performance.now() + seconds * 1000;
    let done = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (performance.now() < until) {
          if (await dialogue(server.port)) done++;
          else failed++;
        }
      }),
    );
    await Bun.sleep(500);
    sampler.stop();
    const fds = openFiles(server.proc.pid);
    const ms = seconds * 1000;
    const early = sampler.peakBetween(ms * 0.1, ms * 0.4);
    const late = sampler.peakBetween(ms * 0.7, ms * 1.1);
    const pass = failed === 0 && fds <= fds0 + 2 && late <= early * 1.2 + 8 * 1024 * 1024;
    return {
      pass,
      figures: `${done} dialogues in ${seconds} s (${failed} failed); RSS ${mb(early)} early, ${mb(late)} late, peak ${mb(sampler.peak)}; descriptors ${fds0} -> ${fds}`,
    };
  } finally {
    await server.stop();
  }
}

async function unreadLog(s: Scale): Promise<Outcome> {
  const lines = s.quick ? 200_000 : 1_000_000;
  // Not --quiet: a log line per message, on a stderr pipe nobody reads.
  const server = await start("echo", [], { readLog: false });
  try {
    await Bun.sleep(300);
    const sampler = new RssSampler(server.proc.pid, 200);
    const rest = sampler.sample();
    const conns = await openMany(server.port, 20);
    const per = Math.ceil(lines / conns.length);
    const block = "log\n".repeat(1000);
    await Promise.all(
      conns.map(async (c) => {
        for (let i = 0; i < per / 1000; i++) if (!(await c.send(block, 20_000))) return;
      }),
    );
    await Bun.sleep(1000);
    sampler.stop();
    const alive = await dialogue(server.port);
    for (const c of conns) c.reset();
    const pass = alive && sampler.peak < rest + 50 * 1024 * 1024;
    return {
      pass,
      figures: `${lines} messages logged to a pipe nobody reads: RSS ${mb(rest)} -> peak ${mb(sampler.peak)}; server ${alive ? "still answering" : "DOWN"}`,
    };
  } finally {
    server.proc.kill("SIGKILL");
    await server.proc.exited;
  }
}

export const lifeCases: TortureCase[] = [
  {
    name: "echo: SIGTERM under load",
    promise: "every client in mid-dialogue gets Good Bye.; exit 0 within the grace period",
    quick: true,
    run: (s) => stopUnderLoad("echo", s),
  },
  {
    name: "guess: SIGTERM under load",
    promise: "every player in mid-game gets its arrêt line; exit 0 within the grace period",
    quick: false,
    run: (s) => stopUnderLoad("guess", s),
  },
  {
    name: "soak: connect/dialogue/leave churn",
    promise: "every dialogue completes; RSS and descriptors do not grow",
    quick: true,
    run: soak,
  },
  {
    name: "log to a pipe nobody reads",
    promise: "the log queue is bounded (lines dropped and counted): RSS stays within 50 MB of rest",
    quick: true,
    run: unreadLog,
  },
];
