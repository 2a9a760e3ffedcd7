// A client's side of the server life cycle (lifecycle.ts): the socket callbacks, one hop from
// Bun to the handler through client.server, and leave(), a handler's way to say goodbye.
import type { Socket } from "bun";
import { describeError } from "./describe-error.ts";
import type { Client } from "./types.ts";

/** Queue `last` (if any) and close once it is out. False when the client was already leaving. */
export function leave<S>(client: Client<S>, last?: Uint8Array): boolean {
  if (client.leaving) return false;
  client.leaving = true;
  client.leftAt = performance.now();
  client.unread = [];
  client.writer.end(last);
  return true;
}

const LF = 0x0a;

// The socket callbacks: named top-level functions, one hop from Bun to the handler.

export function onData<S>(socket: Socket<Client<S>>, chunk: Uint8Array): void {
  const client = socket.data;
  if (client.leaving) return;
  const now = performance.now();
  client.lastSeen = now;
  // A line is held iff the last byte received is not a line end.
  if (chunk[chunk.length - 1] === LF) client.lineSince = 0;
  else if (client.lineSince === 0) client.lineSince = now;
  // Paused, a socket still hands over what the kernel held when the peer reset it (measured:
  // 128 KiB each from 1000 non-readers, answered after they were gone: +160 MB). Set it aside
  // behind the rest (Bun gives each read a fresh buffer: no copy): answered if the client
  // stays, dropped with it when it closes.
  if (client.readPaused) client.unread.push(chunk);
  else client.server.feed(client, chunk);
}

export function onDrain<S>(socket: Socket<Client<S>>): void {
  socket.data?.writer.drain();
}

export function onEnd<S>(socket: Socket<Client<S>>): void {
  const client = socket.data;
  if (!client || client.leaving) socket.end();
  else {
    // Input set aside for a client that has gone is not answered: it would only be queued.
    client.unread = [];
    client.server.handler.end?.(client);
  }
}

export function onClose<S>(socket: Socket<Client<S>>): void {
  const client = socket.data;
  // Refused clients never joined the registry: nothing to undo.
  if (client?.server.forget(client)) client.server.handler.close(client);
}

export function onError<S>(socket: Socket<Client<S>>, error: Error): void {
  const client = socket.data;
  if (client) client.server.handler.error?.(client, describeError(error));
}
