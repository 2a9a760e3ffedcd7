// The interactive client: lines typed (or piped) on stdin go to the server, whatever the
// server says goes to stdout untouched. Ends when the server closes the connection.
import type { Socket } from "bun";
import { RuntimeError } from "../shared/errors.ts";
import { readLines } from "../shared/input.ts";
import { decodeText } from "../shared/lines.ts";
import { connectTcp, Sender } from "../shared/net.ts";
import { GOODBYE } from "./dialogue.ts";
import { PromptPacer } from "./pacer.ts";

export interface ClientOptions {
  host: string;
  port: number;
  input?: ReadableStream<Uint8Array>;
  output?: (bytes: Uint8Array) => void;
  /** How long lines wait for a `Votre message ?` before they are sent anyway. */
  promptWaitMs?: number;
}

interface ClientState {
  closed: boolean;
  /** The last bytes the server sent, enough to recognise its farewell. */
  tail: string;
}

/** The pacer of one connection: lines out through `out`, its waits on real timers. */
function pacerFor(out: Sender, promptWaitMs: number | undefined): PromptPacer {
  return new PromptPacer(
    {
      send: (bytes) => out.send(bytes),
      setTimer: (ms, fire) => {
        const timer = setTimeout(fire, ms);
        return () => clearTimeout(timer);
      },
    },
    promptWaitMs,
  );
}

/**
 * Run one dialogue. Resolves when the server has said Good Bye. and closed; rejects with a
 * RuntimeError when it cannot connect or the server drops the connection without a goodbye.
 */
export async function runClient(opts: ClientOptions): Promise<void> {
  const output = opts.output ?? ((bytes: Uint8Array) => process.stdout.write(bytes));
  let closed!: () => void;
  const serverClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const state: ClientState = { closed: false, tail: "" };
  let sender: Sender | undefined;
  let pacer: PromptPacer | undefined;
  /** What the server said before the pacer was set up (the greeting may come that early). */
  const early: Uint8Array[] = [];
  const socket = await connectTcp<ClientState>(opts.host, opts.port, state, {
    data(_socket, chunk) {
      output(chunk);
      state.tail = (state.tail + decodeText(chunk)).slice(-64);
      if (pacer) pacer.fromServer(chunk);
      else early.push(chunk.slice());
    },
    drain() {
      sender?.drained();
    },
    close() {
      state.closed = true;
      sender?.closed();
      pacer?.close();
      closed();
    },
    error() {},
  });

  // Send stdin to the server one line per prompt (pacer.ts); when it ends, half-close so the
  // server knows we are done (it then says Good Bye., as the lab's server does on an empty read).
  const out = new Sender(socket as Socket<unknown>);
  sender = out;
  const paced = pacerFor(out, opts.promptWaitMs);
  pacer = paced;
  // The greeting may have come with the connection, before the pacer existed.
  for (const chunk of early.splice(0)) paced.fromServer(chunk);
  const input = readLines(async (lines) => {
    if (state.closed) return false;
    await paced.offer(lines);
    return !state.closed;
  }, opts.input);
  input.ended.then((ended) => {
    if (ended && !state.closed) socket.shutdown();
  });

  await serverClosed;
  // Stop waiting on the terminal: nothing more can go to a closed connection.
  input.stop();
  if (!state.tail.includes(GOODBYE)) {
    throw new RuntimeError("the server closed the connection without saying Good Bye.");
  }
}
