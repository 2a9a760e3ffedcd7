// Test doubles for the network tests: a raw line client, and guessing servers written the
// way classmates might write them (other words, prompts without "\n", lines cut in pieces).
import type { Socket, TCPSocketListener } from "bun";

/** A raw TCP client that reads the server line by line. */
export class LineClient {
  private buffer = "";
  private lines: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  readonly whenClosed: Promise<void>;
  private socket!: Socket<undefined>;
  private decoder = new TextDecoder();

  private constructor() {
    let resolveClosed: () => void = () => {};
    this.whenClosed = new Promise((r) => {
      resolveClosed = r;
    });
    this.onClose = () => {
      this.closed = true;
      resolveClosed();
      this.wake();
    };
  }

  private onClose: () => void;

  static async connect(port: number, host = "127.0.0.1"): Promise<LineClient> {
    const c = new LineClient();
    c.socket = await Bun.connect({
      hostname: host,
      port,
      socket: {
        data: (_s, chunk) => {
          c.buffer += c.decoder.decode(chunk, { stream: true });
          const parts = c.buffer.split("\n");
          c.buffer = parts.pop() ?? "";
          c.lines.push(...parts);
          c.wake();
        },
        close: () => c.onClose(),
        error: () => c.onClose(),
      },
    });
    return c;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(text: string | Uint8Array): void {
    this.socket.write(text);
  }

  /** The next complete line, or throw after `timeoutMs` or at close. */
  async next(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.closed) throw new Error(`closed; unterminated text: ${JSON.stringify(this.buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a line");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.lines.shift() as string;
  }

  /** Read lines until one matches; returns it. */
  async until(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    for (;;) {
      const line = await this.next(timeoutMs);
      if (pattern.test(line)) return line;
    }
  }

  close(): void {
    this.socket.end();
  }
}

export interface FakeServer {
  port: number;
  games: number;
  stop(): void;
}

interface FakeGame {
  buffer: string;
  max: bigint | undefined;
  secret: bigint;
  guesses: number;
  /** Writes of this connection, one after the other even when lines come in bursts. */
  chain: Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A guessing server with its own manners. Each event becomes text chunks, written with small
 * gaps so they reach the client as separate TCP segments.
 */
function fakeServer(manners: {
  greet: (g: FakeGame) => string[];
  afterMax: (g: FakeGame) => string[];
  hint: (g: FakeGame, guess: bigint) => { chunks: string[]; end: boolean };
}): FakeServer {
  let games = 0;
  const write = (socket: Socket<FakeGame>, chunks: string[], end = false): void => {
    socket.data.chain = socket.data.chain.then(async () => {
      for (const c of chunks) {
        socket.write(c);
        await pause(2);
      }
      if (end) socket.end();
    });
  };
  const listener: TCPSocketListener<FakeGame> = Bun.listen<FakeGame>({
    hostname: "127.0.0.1",
    port: 0,
    // Like a socket-module server: a client's FIN does not cut the answers still owed.
    allowHalfOpen: true,
    socket: {
      open(socket) {
        socket.setNoDelay(true);
        socket.data = {
          buffer: "",
          max: undefined,
          secret: 0n,
          guesses: 0,
          chain: Promise.resolve(),
        };
        write(socket, manners.greet(socket.data));
      },
      data(socket, chunk) {
        const g = socket.data;
        g.buffer += new TextDecoder().decode(chunk);
        for (let nl = g.buffer.indexOf("\n"); nl >= 0; nl = g.buffer.indexOf("\n")) {
          const text = g.buffer.slice(0, nl).trim();
          g.buffer = g.buffer.slice(nl + 1);
          if (g.guesses < 0) return; // game over, the rest is ignored
          const n = BigInt(text);
          if (g.max === undefined) {
            g.max = n;
            const span = n > 1_000_000n ? 1_000_000 : Number(n);
            g.secret = 1n + BigInt(Math.floor(Math.random() * span));
            write(socket, manners.afterMax(g));
            continue;
          }
          g.guesses++;
          const { chunks, end } = manners.hint(g, n);
          write(socket, chunks, end);
          if (end) {
            games++;
            g.guesses = -1;
          }
        }
      },
    },
  });
  return {
    port: listener.port,
    get games() {
      return games;
    },
    stop: () => listener.stop(true),
  };
}

/**
 * Kevin's server: French, "C'est plus !" / "C'est moins !" / "Bravo", prompts without a line
 * end, every line cut into several writes.
 */
export function frenchServer(): FakeServer {
  return fakeServer({
    greet: () => ["Bienvenue sur le ", "serveur de Kevin !\n", "Nombre ", "max ? "],
    afterMax: () => ["Devine ", ": "],
    hint: (g, guess) =>
      guess === g.secret
        ? { chunks: ["Bravo ! Trouvé ", `en ${g.guesses} coups.\n`], end: true }
        : {
            chunks: ["C'est ", guess < g.secret ? "plus" : "moins", " !\n", "Devine : "],
            end: false,
          },
  });
}

/**
 * Kevin's server as a slow client reads it: the question for the maximum and the first
 * "Devine : " in one chunk (here sent so, after the maximum, for the test to be certain).
 */
export function coalescedPromptsServer(): FakeServer {
  return fakeServer({
    greet: () => [],
    afterMax: () => ["Bienvenue sur le serveur de Kevin !\nNombre max ? Devine : "],
    hint: () => ({ chunks: ["C'est plus !\n", "Devine : "], end: false }),
  });
}

/**
 * Sam's server: English, expects the maximum as the first line without asking, then waits
 * silently; "higher" / "lower" / "correct", CRLF line ends.
 */
export function englishServer(): FakeServer {
  return fakeServer({
    greet: () => [],
    afterMax: () => [],
    hint: (g, guess) =>
      guess === g.secret
        ? { chunks: [`Correct, you got it in ${g.guesses} tries\r\n`], end: true }
        : { chunks: [guess < g.secret ? "higher\r\n" : "lower\r\n"], end: false },
  });
}

/** Léa's server: "Trop petit" / "Trop grand" about the guess, and just hangs up when found. */
export function hangUpServer(): FakeServer {
  return fakeServer({
    greet: () => ["Entrez la borne max\n"],
    afterMax: () => ["Entrez un nombre\n"],
    hint: (g, guess) =>
      guess === g.secret
        ? { chunks: [], end: true }
        : {
            chunks: [guess < g.secret ? "Trop petit\n" : "Trop grand\n", "Entrez un nombre\n"],
            end: false,
          },
  });
}

/** A server that accepts and never says or answers anything. */
export function silentServer(): FakeServer {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  return { port: listener.port, games: 0, stop: () => listener.stop(true) };
}

/** A server that answers every line with nonsense (an echo). */
export function echoServer(): FakeServer {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, chunk) {
        socket.write(`ECHO : ${new TextDecoder().decode(chunk)}`);
      },
    },
  });
  return { port: listener.port, games: 0, stop: () => listener.stop(true) };
}

/** Run `fn` with a fake server's port, and stop the server whatever happens. */
export async function withServer<T>(
  make: () => FakeServer,
  fn: (port: number) => Promise<T>,
): Promise<T> {
  const fake = make();
  try {
    return await fn(fake.port);
  } finally {
    fake.stop();
  }
}

/** A loopback port nobody listens on any more. */
export function deadPort(): number {
  const fake = silentServer();
  fake.stop();
  return fake.port;
}
