// The web port under attack (issue 23): event-stream viewers that never read, half-sent
// requests short of descriptors, WebSocket players that never read, message floods, 10 KB
// names, thousands of open pages. Each time a TCP player must still be served, and the RSS
// must stop growing within the stated bound.
import { Conn, openMany } from "./clients.ts";
import { freePort, RssSampler } from "./proc.ts";
import { probe, start } from "./programs.ts";
import { MB, mb, type Outcome, type Scale, type TortureCase } from "./types.ts";

const encoder = new TextEncoder();

/** A client WebSocket frame (text, masked as a client's must be). */
function wsFrame(text: string): Uint8Array {
  const payload = encoder.encode(text);
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = new Uint8Array(head + 4 + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = n >> 8;
    frame[3] = n & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(n));
  }
  const mask = [0x12, 0x34, 0x56, 0x78];
  frame.set(mask, head);
  for (let i = 0; i < n; i++)
    frame[head + 4 + i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return frame;
}

/** A raw WebSocket player (handshake done), optionally never reading what it is sent. */
async function wsPlayer(port: number, paused: boolean): Promise<Conn | undefined> {
  const c = await Conn.open(port).catch(() => undefined);
  if (!c) return undefined;
  await c.send(
    "GET /play/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  if (!(await c.waitFor("maximum", 5000))) {
    c.reset();
    return undefined;
  }
  if (paused) c.pause();
  return c;
}

interface Run {
  port: number;
  web: number;
  sampler: RssSampler;
  rest: number;
  probes: Array<number | undefined>;
}

/** Start tp-guess with --web, sample it, probe a TCP player every 2 s while `attack` runs. */
async function underAttack(
  flags: string[],
  attack: (r: Run) => Promise<string>,
  judge: (r: Run, figures: string) => boolean,
  opts: { fileLimit?: number } = {},
): Promise<Outcome> {
  const web = freePort();
  const server = await start(
    "guess",
    ["--quiet", "--idle-timeout", "0", "--web", String(web), ...flags],
    opts,
  );
  try {
    const sampler = new RssSampler(server.proc.pid, 200);
    const run: Run = { port: server.port, web, sampler, rest: sampler.sample(), probes: [] };
    let attacking = true;
    const probing = (async () => {
      while (attacking) {
        await Bun.sleep(1500);
        if (attacking) run.probes.push(await probe("guess", server.port, 3000));
      }
    })();
    const figures = await attack(run);
    attacking = false;
    await probing;
    sampler.stop();
    const answered = run.probes.filter((p) => p !== undefined) as number[];
    const slowest = answered.length > 0 ? Math.max(...answered).toFixed(0) : "-";
    const text = `${figures}; RSS rest ${mb(run.rest)}, peak ${mb(sampler.peak)}; TCP probes ${answered.length}/${run.probes.length} answered, slowest ${slowest} ms`;
    const served = answered.length === run.probes.length && answered.length > 0;
    return { pass: served && judge(run, text), figures: text };
  } finally {
    await server.stop();
  }
}

/** The RSS level of the run's last quarter is within 10% (+16 MB) of its middle half's. */
function flat(r: Run, durationMs: number): boolean {
  const middle = r.sampler.medianBetween(durationMs * 0.25, durationMs * 0.75);
  const last = r.sampler.medianBetween(durationMs * 0.75, durationMs);
  return last <= middle * 1.1 + 16 * MB;
}

async function viewersNotReading(s: Scale): Promise<Outcome> {
  const games = s.quick ? 100 : 300;
  const ms = s.quick ? 6000 : 15_000;
  // Each state holds `games` games with three 1001-digit numbers: ~3 KB a game.
  const bound = 64 * MB + 20 * 4 * games * 3100;
  return underAttack(
    [],
    async (r) => {
      const players = await openMany(r.port, games);
      const max = `1${"0".repeat(1000)}`;
      for (const p of players) await p.send(`${max}\n`);
      const viewers: Conn[] = [];
      for (let i = 0; i < 20; i++) {
        const v = await Conn.open(r.web, { paused: true });
        await v.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        viewers.push(v);
      }
      const stopAt = performance.now() + ms;
      for (let k = 0; performance.now() < stopAt; k++) {
        const guess = encoder.encode(`${5n * 10n ** 999n + BigInt(k)}\n`);
        for (const p of players) p.trySend(guess);
        await Bun.sleep(100);
      }
      for (const c of [...viewers, ...players]) c.reset();
      return `20 viewers never reading, ${games} games at max 10^1000 moving every 100 ms for ${ms / 1000} s (bound ${mb(bound)} over rest)`;
    },
    (r) => r.sampler.peak <= r.rest + bound && flat(r, ms),
  );
}

async function halfSentRequests(s: Scale): Promise<Outcome> {
  const count = s.quick ? 600 : 1100;
  const limit = s.quick ? 512 : 1024;
  return underAttack(
    [],
    async (r) => {
      const held = await openMany(r.web, count, { batch: 50 });
      for (const c of held) c.trySend(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n"));
      await Bun.sleep(4000);
      const page = await fetch(`http://127.0.0.1:${r.web}/`, { signal: AbortSignal.timeout(3000) })
        .then((res) => String(res.status))
        .catch(() => "no answer");
      for (const c of held) c.reset();
      return `ulimit -n ${limit}: ${held.length}/${count} half-sent requests held open; a page load meanwhile: ${page}`;
    },
    () => true, // the promise is the TCP probes', judged by underAttack
    { fileLimit: limit },
  );
}

async function wsNotReading(s: Scale): Promise<Outcome> {
  const clients = s.quick ? 50 : 200;
  const ms = s.quick ? 5000 : 10_000;
  let closed = 0;
  return underAttack(
    [],
    async (r) => {
      const players = (
        await Promise.all(Array.from({ length: clients }, () => wsPlayer(r.web, true)))
      ).filter((p) => p !== undefined) as Conn[];
      const bad = wsFrame("pas un nombre ".repeat(8));
      const burst = new Uint8Array(bad.length * 32);
      for (let i = 0; i < 32; i++) burst.set(bad, i * bad.length);
      // Faster than the server answers (a burst every 2 ms), so replies pile up past the kernel's
      // buffers and --max-pending, or the bursts queue into reads of more than MESSAGES_PER_TURN:
      // either way the server must close them. At one burst per 20 ms a fast machine kept up,
      // its replies fit in the kernel's buffers for 5 s, and nothing was closed (CI, 0 of 50).
      const stopAt = performance.now() + ms;
      while (performance.now() < stopAt && players.some((p) => !p.closed)) {
        for (const p of players) if (!p.closed) p.trySend(burst);
        await Bun.sleep(2);
      }
      closed = players.filter((p) => p.closed).length;
      for (const p of players) p.reset();
      return `${players.length} WebSocket players sending errors and never reading for ${ms / 1000} s: ${closed} closed by the server`;
    },
    (r) => closed > 0 && r.sampler.peak <= r.rest + 64 * MB + clients * 2 * 256 * 1024,
  );
}

async function wsFloods(s: Scale): Promise<Outcome> {
  const clients = s.quick ? 20 : 100;
  let closed = 0;
  return underAttack(
    [],
    async (r) => {
      const players = (
        await Promise.all(Array.from({ length: clients }, () => wsPlayer(r.web, false)))
      ).filter((p) => p !== undefined) as Conn[];
      const one = wsFrame("1");
      const flood = new Uint8Array(one.length * 10_000);
      for (let i = 0; i < 10_000; i++) flood.set(one, i * one.length);
      await Promise.all(players.map((p) => p.send(flood, 3000)));
      await Promise.all(players.map((p) => p.waitClosed(5000)));
      closed = players.filter((p) => p.closed).length;
      await Bun.sleep(2000);
      for (const p of players) p.reset();
      return `${players.length} WebSocket players each sending 10,000 messages at once: ${closed} closed (1008)`;
    },
    () => closed > 0,
  );
}

async function wsLongNames(s: Scale): Promise<Outcome> {
  const clients = s.quick ? 50 : 200;
  let errors = 0;
  return underAttack(
    [],
    async (r) => {
      const players = (
        await Promise.all(Array.from({ length: clients }, () => wsPlayer(r.web, false)))
      ).filter((p) => p !== undefined) as Conn[];
      const name = wsFrame(`nom ${"N".repeat(10_000)}`);
      for (let round = 0; round < 20; round++) {
        for (const p of players) p.trySend(name);
        await Bun.sleep(50);
      }
      await Bun.sleep(1000);
      errors = players.filter((p) => p.text.includes("ligne trop longue")).length;
      for (const p of players) p.reset();
      return `${players.length} WebSocket players sending 20 names of 10 KB each: ${errors} got \`erreur : ligne trop longue\``;
    },
    (r) => errors === clients && r.sampler.peak <= r.rest + 64 * MB + clients * 64 * 1024,
  );
}

async function manyPages(s: Scale): Promise<Outcome> {
  const pages = s.quick ? 1500 : 3000;
  const cap = s.quick ? 500 : 1000;
  let refused = 0;
  let streaming = 0;
  return underAttack(
    ["--web-max-connections", String(cap)],
    async (r) => {
      const open = await openMany(r.web, pages, { batch: 100 });
      for (const c of open) c.trySend(encoder.encode("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
      await Promise.all(open.map((c) => c.waitFor(/data: |503/, 8000)));
      refused = open.filter((c) => c.text.includes(" 503 ")).length;
      streaming = open.filter((c) => c.text.includes("data: ")).length;
      await Bun.sleep(2000);
      for (const c of open) c.reset();
      return `${open.length} pages opening the event stream, --web-max-connections ${cap}: ${streaming} streaming, ${refused} refused with a 503 page`;
    },
    () => streaming <= cap && refused > 0 && streaming + refused >= pages * 0.95,
    { fileLimit: 8192 },
  );
}

const PROMISE_TCP = "TCP players still served";

export const webCases: TortureCase[] = [
  {
    name: "web: event-stream viewers that never read",
    promise: `Latest state only, no backlog: RSS flat and within the bound; ${PROMISE_TCP}`,
    quick: true,
    run: viewersNotReading,
  },
  {
    name: "web: half-sent requests short of descriptors",
    promise: `Nearly out of descriptors, the web listener restarts (fd-guard.ts): ${PROMISE_TCP}`,
    quick: false,
    run: halfSentRequests,
  },
  {
    name: "web: WebSocket players that never read",
    promise: `Closed at --max-pending (or as a flood); memory bounded; ${PROMISE_TCP}`,
    quick: true,
    run: wsNotReading,
  },
  {
    name: "web: WebSocket message floods",
    promise: `Over 64 messages in one read is closed (1008); ${PROMISE_TCP}`,
    quick: true,
    run: wsFloods,
  },
  {
    name: "web: 10 KB names over WebSocket",
    promise: `Each a \`ligne trop longue\` error, memory bounded; ${PROMISE_TCP}`,
    quick: true,
    run: wsLongNames,
  },
  {
    name: "web: thousands of open pages",
    promise: `At most --web-max-connections served, the rest a 503 page; ${PROMISE_TCP}`,
    quick: false,
    run: manyPages,
  },
];
