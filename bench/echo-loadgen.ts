// Load generator for the echo benchmark, run in its own process so that its CPU time is measured
// apart from the server's: `bun bench/echo-loadgen.ts --port P --clients N ...`.
// N clients each play the lab dialogue in a closed loop (send one line, wait for the whole
// "ECHO : <line>Votre message ?\n" answer, check it byte for byte, send the next), then say FIN.
// Only answers completed inside the measured window count. Prints one JSON document on stdout.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Socket } from "bun";
import { parseProcStatTicks, parseStatusKb } from "./lib/parse.ts";
import { percentileSorted } from "./lib/stats.ts";

const { values: flags } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    clients: { type: "string", default: "1" },
    "warmup-ms": { type: "string", default: "500" },
    "duration-ms": { type: "string", default: "3000" },
    size: { type: "string", default: "64" },
    depth: { type: "string", default: "1" },
    "server-pid": { type: "string" },
    "clk-tck": { type: "string", default: "100" },
  },
  strict: true,
});

const host = flags.host as string;
const port = Number(flags.port);
const clients = Number(flags.clients);
const warmupMs = Number(flags["warmup-ms"]);
const durationMs = Number(flags["duration-ms"]);
const size = Number(flags.size);
/** Lines each client sends in one write before waiting for all their answers (1 = the lab's dialogue). */
const depth = Number(flags.depth);
const serverPid = flags["server-pid"] ? Number(flags["server-pid"]) : null;
const clkTck = Number(flags["clk-tck"]);
if (!(port > 0 && clients > 0 && durationMs > 0 && size >= 8 && depth >= 1)) {
  console.error(
    "echo-loadgen: --port, --clients, --duration-ms, --size (>= 8) and --depth (>= 1) are required",
  );
  process.exit(2);
}
/** Hard limit for the whole run, so a stuck server can never hang the bench. */
const HARD_LIMIT_MS = warmupMs + durationMs + 30_000;

const enc = new TextEncoder();
const greeting = enc.encode(`Vous êtes connecté au serveur ${host}:${port}.\nVotre message ?\n`);
const goodbye = enc.encode("Good Bye.");

interface Client {
  id: number;
  socket: Socket<Client> | null;
  /** 0 greeting, 1 echoing, 2 saying FIN, 3 done. */
  phase: number;
  message: Uint8Array;
  expected: Uint8Array;
  buf: Uint8Array;
  got: number;
  sentAt: number;
  unsent: Uint8Array | null;
}

function makeClient(id: number): Client {
  const head = `m${id}-`;
  const line = `${head}${"x".repeat(size - head.length - 1)}\n`;
  const expected = enc.encode(`ECHO : ${line}Votre message ?\n`.repeat(depth));
  return {
    id,
    socket: null,
    phase: 0,
    message: enc.encode(line.repeat(depth)),
    expected,
    buf: new Uint8Array(Math.max(expected.length, greeting.length, goodbye.length)),
    got: 0,
    sentAt: 0,
    unsent: null,
  };
}

const LAT_CAP = 2_000_000;
const latencies = new Float64Array(LAT_CAP);
let latCount = 0;
let completed = 0;
let windowStartCount = -1;
let windowEndCount = -1;
let measuring = false;
let stopping = false;
let errors = 0;
const errorSamples: string[] = [];
let greeted = 0;
let finished = 0;

function fail(c: Client, why: string): void {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(`client ${c.id}: ${why}`);
  c.phase = 3;
  finished++;
  c.socket?.terminate();
  checkAllDone();
}

let resolveAllDone: () => void = () => {};
const allDone = new Promise<void>((r) => {
  resolveAllDone = r;
});
function checkAllDone(): void {
  if (finished >= clients) resolveAllDone();
}

let resolveAllGreeted: () => void = () => {};
const allGreeted = new Promise<void>((r) => {
  resolveAllGreeted = r;
});

function send(c: Client, bytes: Uint8Array): void {
  const s = c.socket;
  if (!s) return;
  const n = s.write(bytes);
  c.unsent = n < bytes.length ? bytes.subarray(Math.max(n, 0)) : null;
}

function sendNext(c: Client): void {
  if (stopping) {
    c.phase = 2;
    c.got = 0;
    send(c, enc.encode("FIN\n"));
    return;
  }
  c.got = 0;
  c.sentAt = performance.now();
  send(c, c.message);
}

function equalPrefix(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function onData(c: Client, chunk: Uint8Array): void {
  const want = c.phase === 0 ? greeting : c.phase === 1 ? c.expected : goodbye;
  if (c.phase === 3) return;
  if (c.got + chunk.length > want.length) {
    fail(c, `unexpected bytes: ${JSON.stringify(new TextDecoder().decode(chunk).slice(0, 80))}`);
    return;
  }
  c.buf.set(chunk, c.got);
  c.got += chunk.length;
  if (c.got < want.length) return;
  if (!equalPrefix(c.buf, want, want.length)) {
    fail(
      c,
      `wrong answer: ${JSON.stringify(new TextDecoder().decode(c.buf.subarray(0, c.got)).slice(0, 80))}`,
    );
    return;
  }
  if (c.phase === 0) {
    c.phase = 1;
    c.got = 0;
    greeted++;
    if (greeted === clients) resolveAllGreeted();
    return;
  }
  if (c.phase === 1) {
    const now = performance.now();
    completed += depth;
    if (measuring && latCount < LAT_CAP) latencies[latCount++] = now - c.sentAt;
    sendNext(c);
    return;
  }
  // Good Bye. received: the server closes; we close too.
  c.phase = 3;
  finished++;
  c.socket?.end();
  checkAllDone();
}

const all: Client[] = Array.from({ length: clients }, (_, i) => makeClient(i));

async function connect(c: Client): Promise<void> {
  try {
    await Bun.connect<Client>({
      hostname: host,
      port,
      data: c,
      socket: {
        open(s) {
          s.setNoDelay(true);
          c.socket = s;
        },
        data(s, chunk) {
          onData(s.data, chunk);
        },
        drain(s) {
          const rest = s.data.unsent;
          if (rest) send(s.data, rest);
        },
        close(s) {
          const cl = s.data;
          if (cl.phase !== 3) fail(cl, "closed by the server mid-dialogue");
        },
        error(s, error) {
          if (s.data.phase !== 3) fail(s.data, `socket error: ${error.message}`);
        },
      },
    });
  } catch (error) {
    fail(c, `connect failed: ${(error as Error).message}`);
  }
}

function serverCpuMs(): number | null {
  if (serverPid === null) return null;
  try {
    return (parseProcStatTicks(readFileSync(`/proc/${serverPid}/stat`, "utf8")) * 1000) / clkTck;
  } catch {
    return null;
  }
}
function serverKb(field: string): number | null {
  if (serverPid === null) return null;
  try {
    return parseStatusKb(readFileSync(`/proc/${serverPid}/status`, "utf8"), field);
  } catch {
    return null;
  }
}

const hardTimer = setTimeout(() => {
  console.error(`echo-loadgen: hard time limit (${HARD_LIMIT_MS} ms) reached`);
  process.exit(1);
}, HARD_LIMIT_MS);

const rssBeforeKb = serverKb("VmRSS");
const connectStarted = performance.now();
// Connect in batches so the server's accept backlog never overflows (a dropped SYN costs 1 s).
const BATCH = 100;
for (let i = 0; i < all.length; i += BATCH) await Promise.all(all.slice(i, i + BATCH).map(connect));
await Promise.race([allGreeted, allDone]);
const connectMs = performance.now() - connectStarted;
const rssConnectedKb = serverKb("VmRSS");

for (const c of all) if (c.phase === 1) sendNext(c);
await Bun.sleep(warmupMs);

let rssPeakKb = serverKb("VmRSS") ?? 0;
const sampler = setInterval(() => {
  rssPeakKb = Math.max(rssPeakKb, serverKb("VmRSS") ?? 0);
}, 50);
const cpu0 = process.cpuUsage();
const srv0 = serverCpuMs();
const t0 = performance.now();
windowStartCount = completed;
measuring = true;
await Bun.sleep(durationMs);
measuring = false;
windowEndCount = completed;
const t1 = performance.now();
const srv1 = serverCpuMs();
const cpu1 = process.cpuUsage(cpu0);
clearInterval(sampler);
rssPeakKb = Math.max(rssPeakKb, serverKb("VmRSS") ?? 0);

stopping = true;
// Clients waiting for an answer say FIN after it; wait (bounded) for every Good Bye.
await Promise.race([allDone, Bun.sleep(10_000)]);
clearTimeout(hardTimer);
for (const c of all) if (c.phase !== 3) c.socket?.terminate();

const windowMs = t1 - t0;
const messages = windowEndCount - windowStartCount;
const sorted = latencies.subarray(0, latCount).sort();
const result = {
  clients,
  size,
  depth,
  windowMs,
  connectMs,
  messages,
  messagesPerSec: (messages * 1000) / windowMs,
  /** Payload echoed per second (each message's bytes once; the same bytes also travel out). */
  mbPerSec: (messages * size * 1000) / windowMs / 1e6,
  p50Ms: percentileSorted(sorted, 50),
  p99Ms: percentileSorted(sorted, 99),
  loadgenCpuMs: (cpu1.user + cpu1.system) / 1000,
  serverCpuMs: srv0 !== null && srv1 !== null ? srv1 - srv0 : null,
  rssBeforeKb,
  rssConnectedKb,
  rssPeakKb: rssPeakKb || null,
  serverHwmKb: serverKb("VmHWM"),
  greeted,
  errors,
  errorSamples,
  unfinished: clients - finished,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
