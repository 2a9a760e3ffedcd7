// The human client: what the person types goes to the server line by line, what the server
// says is shown as it arrives (prompts without a line end included). Any guessing server
// works: this is a plain line client that only watches for a win word to pick its exit code.
import type { Socket } from "bun";
import { RuntimeError } from "../shared/errors.ts";
import { readLines } from "../shared/input.ts";
import { encodeText } from "../shared/lines.ts";
import { connectTcp, formatHostPort, Sender } from "../shared/net.ts";
import { classify } from "./hints.ts";
import { NAME_COMMAND } from "./names.ts";

export interface PlayOptions {
  host: string;
  port: number;
  /** Connect timeout, and how long to wait for the server once our input has ended. */
  timeoutMs: number;
  /** Sent first as `nom NAME`. */
  name?: string;
}

/** Resolves when the server closes after a win; throws a one-line RuntimeError otherwise. */
export async function runPlay(opts: PlayOptions): Promise<void> {
  const where = formatHostPort(opts.host, opts.port);
  const decoder = new TextDecoder();
  let partial = "";
  let won = false;
  let inputEnded = false;
  let linger: ReturnType<typeof setTimeout> | undefined;
  let closed: (error?: string) => void = () => {};
  const done = new Promise<string | undefined>((resolve) => {
    closed = resolve;
  });
  const scan = (text: string): void => {
    if (classify(text) === "win") won = true;
  };
  const armLinger = (socket: Socket<undefined>): void => {
    if (!inputEnded) return;
    clearTimeout(linger);
    linger = setTimeout(() => {
      // Settle first: end() runs the close handler at once.
      closed(
        `input ended and ${where} said nothing more for ${opts.timeoutMs / 1000} s, game not won`,
      );
      socket.end();
    }, opts.timeoutMs);
  };

  let out: Sender | undefined;
  const socket = await connectTcp<undefined>(
    opts.host,
    opts.port,
    undefined,
    {
      open(s) {
        out = new Sender(s as Socket<unknown>);
        if (opts.name !== undefined) void out.send(encodeText(`${NAME_COMMAND} ${opts.name}\n`));
      },
      data(s, chunk) {
        process.stdout.write(chunk);
        partial += decoder.decode(chunk, { stream: true });
        const lines = partial.split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) scan(line);
        if (partial.length > 4096) partial = partial.slice(-4096);
        armLinger(s);
      },
      drain() {
        out?.drained();
      },
      close() {
        out?.closed();
        if (partial !== "") scan(partial);
        closed();
      },
      error(_s, error) {
        closed(`connection to ${where} failed: ${error.message}`);
      },
    },
    opts.timeoutMs,
  );

  const input = readLines((lines) => out?.send(lines) ?? false);
  input.ended.then((ended) => {
    if (!ended) return; // we stopped reading ourselves: the game is over
    inputEnded = true;
    // No FIN here: some servers (Bun's default, many classmates') hang up on it at once,
    // before answering the lines still in flight. Read on until the server closes or falls
    // silent for the timeout.
    armLinger(socket);
  });

  const error = await done;
  clearTimeout(linger);
  // Stop reading the terminal, or the pending read would keep the process alive.
  input.stop();
  if (error) throw new RuntimeError(error);
  if (!won) {
    throw new RuntimeError(
      inputEnded
        ? `input ended before the game was won; ${where} closed the connection`
        : `${where} closed the connection before the game was won`,
    );
  }
}
