// Whatever bytes arrive, the servers answer what they promise and stay up: fuzzed input, and
// connections reset or half-closed at every point of the dialogue.
import { Conn } from "./clients.ts";
import { openFiles } from "./proc.ts";
import { type Program, probe, start } from "./programs.ts";
import type { Outcome, Scale, TortureCase } from "./types.ts";

interface Probe {
  what: string;
  send: Array<string | Uint8Array>;
  /** What the reply must contain (or match, or satisfy). */
  expect: string | RegExp | ((text: string) => boolean);
}

const bytes = (n: number, seed: number) => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = (x >>> 16) & 0xff;
  }
  return out.map((b) => (b === 0x0a ? 0x20 : b));
};

const count = (text: string, needle: string) => text.split(needle).length - 1;

const ECHO_PROBES: Probe[] = [
  {
    what: "random bytes",
    send: [bytes(1000, 7), "\n"],
    expect: (t) => count(t, "Votre message ?\n") === 2 && t.includes("ECHO : "),
  },
  { what: "NUL", send: ["a\0b\n"], expect: "ECHO : a\0b\n" },
  {
    what: "invalid UTF-8",
    send: [new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0x0a])],
    expect: "ECHO : ",
  },
  { what: "lone CR", send: ["a\rb\n"], expect: "ECHO : a\rb\n" },
  {
    what: "line at --max-line",
    send: [`${"m".repeat(1000)}\n`],
    expect: `ECHO : ${"m".repeat(1000)}\n`,
  },
  { what: "line past --max-line", send: [`${"m".repeat(1001)}\n`], expect: "Ligne trop longue" },
  {
    what: "10 MB without a line end",
    send: [new Uint8Array(10 * 1024 * 1024).fill(0x41)],
    expect: "Ligne trop longue",
  },
  { what: "byte by byte", send: [..."bonjour\n"], expect: "ECHO : bonjour\n" },
  {
    what: "10k lines in one write",
    send: ["l\n".repeat(10_000)],
    expect: (t) => count(t, "ECHO : l\nVotre message ?\n") === 10_000,
  },
];

const GUESS_PROBES: Probe[] = [
  { what: "huge number", send: [`${"9".repeat(3000)}\n`], expect: "erreur" },
  { what: "sign", send: ["-5\n"], expect: "erreur" },
  { what: "hex", send: ["0x10\n"], expect: "erreur" },
  { what: "exponent", send: ["1e3\n"], expect: "erreur" },
  { what: "other scripts' digits", send: ["١٢٣\n"], expect: "erreur" },
  {
    what: "NUL and invalid UTF-8",
    send: [new Uint8Array([0x31, 0, 0xff, 0x0a])],
    expect: "erreur",
  },
  {
    what: "pipelined ahead of the prompts",
    send: ["10\n0\n11\nx\n"],
    expect: /nombre \?[\s\S]*erreur[\s\S]*erreur[\s\S]*erreur/,
  },
];

async function fuzz(program: Program): Promise<Outcome> {
  const flags = program === "echo" ? ["--quiet", "--max-line", "1000"] : ["--quiet"];
  const server = await start(program, flags);
  const failed: string[] = [];
  try {
    for (const p of program === "echo" ? ECHO_PROBES : GUESS_PROBES) {
      const c = await Conn.open(server.port);
      await c.waitFor(program === "echo" ? "Votre message ?" : "maximum ?", 5000);
      for (const piece of p.send) {
        await c.send(piece, 10_000);
        if (p.send.length > 1) await Bun.sleep(2);
      }
      const ok = await c.waitFor(p.expect, 10_000);
      if (!ok) failed.push(p.what);
      c.reset();
    }
    const alive = (await probe(program, server.port)) !== undefined;
    const logOk = !server.log().includes("undefined");
    return {
      pass: failed.length === 0 && alive,
      figures: `${program === "echo" ? ECHO_PROBES.length : GUESS_PROBES.length} inputs${failed.length ? `; wrong answer to: ${failed.join(", ")}` : ", each answered as promised"}; server ${alive ? "still answering" : "DOWN"}${logOk ? "" : "; 'undefined' in the log"}`,
    };
  } finally {
    await server.stop();
  }
}

/** Reset or half-close at each point of a dialogue; the log must name every error. */
async function abrupt(program: Program, s: Scale): Promise<Outcome> {
  const server = await start(program, []);
  try {
    await Bun.sleep(200);
    const baseline = openFiles(server.proc.pid);
    const rounds = s.quick ? 40 : 200;
    const points = ["at once", "after the greeting", "mid-line", "after a line"] as const;
    let goodbyes = 0;
    let halfCloses = 0;
    for (let i = 0; i < rounds; i++) {
      const point = points[i % points.length] as (typeof points)[number];
      const half = i % 2 === 1;
      const c = await Conn.open(server.port);
      if (point !== "at once")
        await c.waitFor(program === "echo" ? "Votre message ?" : "maximum ?", 2000);
      if (point === "mid-line") await c.send("12");
      if (point === "after a line") await c.send("12\n");
      if (half) {
        halfCloses++;
        c.halfClose();
        if (await c.waitClosed(3000)) goodbyes++;
      }
      c.reset();
    }
    await Bun.sleep(500);
    const fds = openFiles(server.proc.pid);
    const log = server.log();
    const undefinedInLog = log.includes("undefined");
    const alive = (await probe(program, server.port)) !== undefined;
    // tp-echo answers a half-close with Good Bye.; tp-guess ends the game: both close.
    const pass = alive && !undefinedInLog && goodbyes === halfCloses && fds <= baseline + 2;
    return {
      pass,
      figures: `${rounds} connections reset or half-closed at ${points.length} points: ${goodbyes}/${halfCloses} half-closes answered and closed; 'undefined' in the log: ${undefinedInLog ? "YES" : "no"}; descriptors ${baseline} -> ${fds}`,
    };
  } finally {
    await server.stop();
  }
}

export const inputCases: TortureCase[] = [
  {
    name: "echo: fuzzed input",
    promise:
      "NUL, invalid UTF-8, lone CR echoed byte for byte; past --max-line and 10 MB without a line end refused; byte-by-byte and 10k lines in one write answered",
    quick: true,
    run: () => fuzz("echo"),
  },
  {
    name: "guess: fuzzed input",
    promise:
      "huge numbers, signs, hex, exponents, other digits, pipelined lines: each an erreur (or its reply), the game goes on",
    quick: true,
    run: () => fuzz("guess"),
  },
  {
    name: "echo: resets and half-closes",
    promise: "every half-close answered; no 'undefined' in the log; descriptors back",
    quick: true,
    run: (s) => abrupt("echo", s),
  },
  {
    name: "guess: resets and half-closes",
    promise: "the same for tp-guess",
    quick: false,
    run: (s) => abrupt("guess", s),
  },
];
