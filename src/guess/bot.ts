// The bot: plays whole games over TCP with BotSession, one game with its dialogue or many in
// parallel with a summary. Reads the server's text as it comes: complete lines at once, a
// prompt without a line end as soon as it looks like one, any other leftover after a short
// quiet spell (settleMs), so a server that never sends "\n" still gets played.
import type { Socket } from "bun";
import { RuntimeError, UsageError } from "../shared/errors.ts";
import { BoundedWriter } from "../shared/limits.ts";
import { encodeText } from "../shared/lines.ts";
import { connectTcp, formatHostPort } from "../shared/net.ts";
import { BotSession, guessBound, type Step } from "./bot-session.ts";
import { looksLikePrompt } from "./hints.ts";
import { MAX_LIMIT, MAX_LIMIT_TEXT } from "./protocol.ts";

export interface BotOptions {
  host: string;
  port: number;
  /** Our maximum; without it the server must state its range (tp-guess server --max). */
  max?: bigint;
  /** Sent with `nom NAME` first. */
  name?: string;
  /** Give up when the server says nothing for this long while we wait for it. */
  timeoutMs: number;
  /** Quiet spell after which a leftover without line end is read, or the bot speaks first. */
  settleMs: number;
}

export interface GameResult {
  won: boolean;
  guesses: number;
  /** The maximum played: ours, or the one the server fixed. */
  max: bigint | undefined;
  /** Won because the server hung up after a guess, not with a win word. */
  closedAsEnd: boolean;
  error?: string;
}

/** Longest text without a line end we hold from a server before calling it nonsense. */
const MAX_PENDING_TEXT = 64 * 1024;

type Dialogue = (direction: "<" | ">", text: string) => void;

/** Play one game on a new connection. Never throws: failures come back in `error`. */
export async function playGame(opts: BotOptions, dialogue?: Dialogue): Promise<GameResult> {
  const session = new BotSession(opts.max, { name: opts.name });
  const where = formatHostPort(opts.host, opts.port);
  const decoder = new TextDecoder();
  let pending = "";
  let received = 0;
  let sent = 0;
  let out: BoundedWriter | undefined;
  let socket: Socket<undefined> | undefined;
  let settle: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let finish: (r: GameResult) => void = () => {};
  let finished = false;
  const result = new Promise<GameResult>((resolve) => {
    finish = resolve;
  });

  const end = (error?: string): void => {
    if (finished) return;
    finished = true;
    clearTimeout(settle);
    clearTimeout(deadline);
    socket?.end();
    finish({
      won: error === undefined,
      guesses: session.guesses,
      max: session.max,
      closedAsEnd: session.closedAsEnd,
      error,
    });
  };
  const apply = (step: Step): void => {
    if (step.send !== undefined) {
      sent++;
      dialogue?.(">", step.send);
      out?.write(encodeText(`${step.send}\n`));
      // Time the server's answer (and the next quiet spell) from what we just said.
      arm();
    }
    if (step.won) end();
    else if (step.fail) end(step.fail);
  };
  const message = (text: string): void => {
    if (finished) return;
    const trimmed = text.replace(/\r$/, "");
    if (trimmed.trim() !== "") dialogue?.("<", trimmed);
    apply(session.onMessage(trimmed));
  };
  const onSettle = (): void => {
    const before = sent;
    if (pending !== "") {
      const text = pending;
      pending = "";
      message(text);
    }
    // Speak first only if that leftover did not already make us answer.
    if (!finished && sent === before) apply(session.onQuiet());
  };
  const onDeadline = (): void => {
    const heard = received === 0 ? " (it sent nothing at all)" : "";
    end(
      `no answer from ${where} for ${opts.timeoutMs / 1000} s${heard}, waiting for ${session.waitingFor()}`,
    );
  };
  // Both timers restart on every event; refresh() re-arms them without new allocations.
  const arm = (): void => {
    if (finished) return;
    if (settle && deadline) {
      settle.refresh();
      deadline.refresh();
      return;
    }
    settle = setTimeout(onSettle, opts.settleMs);
    deadline = setTimeout(onDeadline, opts.timeoutMs);
  };

  try {
    socket = await connectTcp<undefined>(
      opts.host,
      opts.port,
      undefined,
      {
        open(s) {
          socket = s;
          out = new BoundedWriter(s as Socket<unknown>);
          s.setNoDelay(true);
          arm();
        },
        data(_s, chunk) {
          if (finished) return;
          received += chunk.length;
          pending += decoder.decode(chunk, { stream: true });
          for (let nl = pending.indexOf("\n"); nl >= 0 && !finished; nl = pending.indexOf("\n")) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            message(line);
          }
          if (!finished && pending !== "" && looksLikePrompt(pending)) {
            const text = pending;
            pending = "";
            message(text);
          }
          if (!finished && pending.length > MAX_PENDING_TEXT) {
            end(`${where} sent over ${MAX_PENDING_TEXT / 1024} KiB without a line end`);
          }
          arm();
        },
        drain() {
          out?.drain();
        },
        close() {
          if (finished) return;
          if (pending !== "") message(pending);
          pending = "";
          if (!finished) apply(session.onClose());
          end(`connection to ${where} closed`);
        },
        error(_s, error) {
          end(`connection to ${where} failed: ${error.message}`);
        },
      },
      opts.timeoutMs,
    );
  } catch (error) {
    finished = true;
    clearTimeout(settle);
    clearTimeout(deadline);
    return {
      won: false,
      guesses: 0,
      max: opts.max,
      closedAsEnd: false,
      error: (error as Error).message,
    };
  }
  return result;
}

export interface Summary {
  games: number;
  wins: number;
  failures: number;
  meanGuesses: number;
  worstGuesses: number;
  bound: number;
  seconds: number;
  gamesPerSecond: number;
  firstError?: string;
}

/** Play `games` games, `parallel` at a time, each on its own connection. */
export async function playMany(
  opts: BotOptions,
  games: number,
  parallel: number,
): Promise<Summary> {
  const started = performance.now();
  let next = 0;
  let wins = 0;
  let total = 0;
  let worst = 0;
  let firstError: string | undefined;
  let max = opts.max;
  const worker = async (): Promise<void> => {
    while (next < games) {
      next++;
      const r = await playGame(opts);
      max ??= r.max;
      if (r.won) {
        wins++;
        total += r.guesses;
        worst = Math.max(worst, r.guesses);
      } else firstError ??= r.error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, games) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    games,
    wins,
    failures: games - wins,
    meanGuesses: wins > 0 ? total / wins : 0,
    worstGuesses: worst,
    bound: max === undefined ? 0 : guessBound(max),
    seconds,
    gamesPerSecond: games / seconds,
    firstError,
  };
}

export function formatSummary(s: Summary): string[] {
  return [
    `games ${s.games}, wins ${s.wins}, failures ${s.failures}`,
    `guesses: mean ${s.meanGuesses.toFixed(2)}, worst ${s.worstGuesses}, bound ${s.bound} (floor(log2 max)+1)`,
    `time ${s.seconds.toFixed(2)} s, ${s.gamesPerSecond.toFixed(1)} games/s`,
  ];
}

/** The `bot` command: one game shows its dialogue, several print a summary. */
export async function runBot(opts: BotOptions, games: number, parallel: number): Promise<void> {
  if (games === 1) {
    const r = await playGame(opts, (dir, text) => process.stdout.write(`${dir} ${text}\n`));
    if (!r.won) throw new RuntimeError(r.error ?? "game lost");
    const how = r.closedAsEnd ? " (the server closed the connection: taken as found)" : "";
    const bound = r.max === undefined ? "" : ` (bound ${guessBound(r.max)})`;
    process.stdout.write(`won in ${r.guesses} guesses${bound}${how}\n`);
    return;
  }
  const s = await playMany(opts, games, parallel);
  process.stdout.write(`${formatSummary(s).join("\n")}\n`);
  if (s.failures > 0)
    throw new RuntimeError(`${s.failures} of ${s.games} games failed; first: ${s.firstError}`);
}

/** --max: digits, or a power written 10^100 or 1e100; 1..10^1000 like our server accepts. */
export function parseMaxFlag(text: string | undefined, flag = "--max"): bigint {
  const t = (text ?? "").trim();
  let value: bigint | undefined;
  const power = /^(\d{1,20})\^(\d{1,5})$/.exec(t);
  const scientific = /^(\d{1,20})[eE](\d{1,5})$/.exec(t);
  const tooBig = MAX_LIMIT + 1n;
  if (/^\d{1,1100}$/.test(t)) value = BigInt(t);
  else if (power) {
    const base = BigInt(power[1] as string);
    const exp = Number(power[2]);
    // Refuse before computing a huge power: base^exp has about exp*log10(base) digits.
    value = base > 1n && exp * Math.log10(Number(base)) > 1001 ? tooBig : base ** BigInt(exp);
  } else if (scientific) {
    const exp = Number(scientific[2]);
    value = exp > 1001 ? tooBig : BigInt(scientific[1] as string) * 10n ** BigInt(exp);
  }
  if (value === undefined) {
    throw new UsageError(
      `${flag} expects a whole number such as 1000000 or 10^100, got '${text ?? ""}'`,
    );
  }
  if (value < 1n || value > MAX_LIMIT) {
    throw new UsageError(`${flag} must be between 1 and ${MAX_LIMIT_TEXT}`);
  }
  return value;
}
