// Guess through the web: games/s played by WebSocket players (the play page's transport) against
// TCP players, on the same server (`tp-guess server --web PORT --quiet`), in the same run. Both
// kinds of player are the same lock-step binary search in this process (Bun.connect against
// Bun's WebSocket client), so the ratio compares the server's two transports, not two clients.
// The two alternate within each run (TCP then WS, WS then TCP), and the ratio is the median of
// the runs' paired ratios.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../scripts/lib/net.ts";
import { ROOT } from "../scripts/lib/root.ts";
import type { Section } from "./lib/section.ts";
import { pairedRatioMedian, type Summary, summarize } from "./lib/stats.ts";
import { fmtNumber, renderTable } from "./lib/table.ts";
import { startServer } from "./proc.ts";

const HOST = "127.0.0.1";
const MAX = 1_000_000;

export interface GuessWebResults {
  skipped?: string;
  games: number;
  parallel: number;
  tcp: Summary;
  ws: Summary;
  /** WebSocket games/s over TCP games/s, median of the runs' pairs. */
  wsOverTcp: number | null;
}

/** One player's game: answers each server line; resolves when it has won. */
function player(send: (line: string) => void): { line: (l: string) => boolean } {
  let lo = 1;
  let hi = MAX;
  let guess = 0;
  return {
    line(l) {
      if (l.startsWith("maximum")) send(String(MAX));
      else if (l.startsWith("nombre")) {
        guess = Math.floor((lo + hi) / 2);
        send(String(guess));
      } else if (l.startsWith("plus")) lo = guess + 1;
      else if (l.startsWith("moins")) hi = guess - 1;
      else if (l.startsWith("gagné")) return true;
      else if (!l.startsWith("bienvenue")) throw new Error(`unexpected line: ${l}`);
      return false;
    },
  };
}

function tcpGame(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = "";
    const decoder = new TextDecoder();
    let p: ReturnType<typeof player> | undefined;
    Bun.connect({
      hostname: HOST,
      port,
      socket: {
        open(s) {
          p = player((l) => s.write(`${l}\n`));
        },
        data(s, chunk) {
          rest += decoder.decode(chunk, { stream: true });
          let nl = rest.indexOf("\n");
          while (nl >= 0) {
            const l = rest.slice(0, nl);
            rest = rest.slice(nl + 1);
            if (p?.line(l)) {
              s.end();
              resolve();
              return;
            }
            nl = rest.indexOf("\n");
          }
        },
        close: () => resolve(),
        error: (_s, e) => reject(e),
      },
    }).catch(reject);
  });
}

function wsGame(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const game = player((l) => ws.send(l));
    ws.onmessage = (e) => {
      if (game.line(String(e.data))) resolve();
    };
    ws.onerror = () => reject(new Error("WebSocket error"));
    ws.onclose = () => resolve();
  });
}

/** `games` games, `parallel` at a time; games/s. */
async function rate(games: number, parallel: number, one: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < games) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return (games * 1000) / (performance.now() - t0);
}

export async function runGuessWebBench(opts: {
  runs: number;
  quick: boolean;
  log: (line: string) => void;
}): Promise<GuessWebResults> {
  const games = opts.quick ? 200 : 2000;
  const parallel = 20;
  const empty = summarize([]);
  const exe = join(ROOT, "tp-guess");
  if (!existsSync(exe))
    return {
      skipped: "./tp-guess is not built",
      games,
      parallel,
      tcp: empty,
      ws: empty,
      wsOverTcp: null,
    };
  const tcp: number[] = [];
  const ws: number[] = [];
  for (let r = 0; r < opts.runs; r++) {
    const port = await freePort(HOST);
    const web = await freePort(HOST);
    const server = await startServer(
      [exe, "server", "--host", HOST, "--port", String(port), "--web", String(web), "--quiet"],
      { host: HOST, port },
    );
    try {
      const url = `ws://${HOST}:${web}/play/ws`;
      const order = r % 2 === 0 ? ["tcp", "ws"] : ["ws", "tcp"];
      for (const kind of order) {
        const gps =
          kind === "tcp"
            ? await rate(games, parallel, () => tcpGame(port))
            : await rate(games, parallel, () => wsGame(url));
        (kind === "tcp" ? tcp : ws).push(gps);
        opts.log(`guess-web run ${r + 1}/${opts.runs} ${kind}: ${gps.toFixed(0)} games/s`);
      }
    } finally {
      await server.stop();
    }
  }
  return {
    games,
    parallel,
    tcp: summarize(tcp),
    ws: summarize(ws),
    wsOverTcp: pairedRatioMedian(ws, tcp),
  };
}

function renderGuessWeb(r: GuessWebResults): string {
  if (r.skipped) return `Skipped: ${r.skipped}.\n`;
  const row = (name: string, s: Summary) => [
    name,
    fmtNumber(s.median),
    `${fmtNumber(s.min)}-${fmtNumber(s.max)}`,
    String(s.n),
  ];
  return [
    `${r.games} games at max ${MAX} per transport and run, ${r.parallel} at a time, lock-step binary search, one server for both.`,
    "",
    renderTable(
      ["players", "games/s (median)", "range", "runs"],
      [row("TCP", r.tcp), row("WebSocket (/play/ws)", r.ws)],
    ),
    "",
    `WebSocket / TCP: **${r.wsOverTcp === null ? "-" : `${r.wsOverTcp.toFixed(2)}x`}** (median of the runs' paired ratios).`,
    "",
  ].join("\n");
}

export const guessWebSection: Section<GuessWebResults> = {
  name: "guess-web",
  title: "tp-guess: WebSocket players vs TCP players",
  targets: [],
  render: renderGuessWeb,
  run: (ctx) =>
    runGuessWebBench({ runs: ctx.runs ?? (ctx.quick ? 1 : 5), quick: ctx.quick, log: ctx.log }),
};
