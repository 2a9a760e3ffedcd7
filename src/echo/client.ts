// The interactive client: lines typed (or piped) on stdin go to the server, whatever the
// server says goes to stdout untouched. Ends when the server closes the connection.
import type { Socket } from "bun";
import { RuntimeError } from "../shared/errors.ts";
import { readLines } from "../shared/input.ts";
import { decodeText } from "../shared/lines.ts";
import { connectTcp, Sender } from "../shared/net.ts";
import { GOODBYE } from "./dialogue.ts";

export interface ClientOptions {
  host: string;
  port: number;
  input?: ReadableStream<Uint8Array>;
  output?: (bytes: Uint8Array) => void;
}

interface ClientState {
  closed: boolean;
  /** The last bytes the server sent, enough to recognise its farewell. */
  tail: string;
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
  const socket = await connectTcp<ClientState>(opts.host, opts.port, state, {
    data(_socket, chunk) {
      output(chunk);
      state.tail = (state.tail + decodeText(chunk)).slice(-64);
    },
    drain() {
      sender?.drained();
    },
    close() {
      state.closed = true;
      sender?.closed();
      closed();
    },
    error() {},
  });

  // Send stdin to the server as it comes; when it ends, half-close so the server knows we are
  // done (it then says Good Bye., as the lab's server does on an empty read).
  const out = new Sender(socket as Socket<unknown>);
  sender = out;
  const input = readLines((lines) => !state.closed && out.send(lines), opts.input);
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
