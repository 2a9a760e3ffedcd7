import { expect, test } from "bun:test";
import { connectTcp, formatHostPort, Sender } from "../../src/shared/net.ts";

test("formatHostPort brackets IPv6 only", () => {
  expect(formatHostPort("127.0.0.1", 1)).toBe("127.0.0.1:1");
  expect(formatHostPort("::1", 80)).toBe("[::1]:80");
});

test("Sender waits for the server to read, delivers everything in order, and says when it is gone", async () => {
  let received = 0;
  let serverSide: import("bun").Socket<undefined> | undefined;
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        serverSide = s;
        s.pause(); // not reading yet
      },
      data(_s, chunk) {
        received += chunk.length;
      },
    },
  });
  let sender: Sender | undefined;
  const socket = await connectTcp("127.0.0.1", listener.port, undefined, {
    drain: () => sender?.drained(),
    close: () => sender?.closed(),
    data() {},
  });
  sender = new Sender(socket as import("bun").Socket<unknown>);
  try {
    const total = 32 * 1024 * 1024;
    let done = false;
    const sending = sender.send(new Uint8Array(total).fill(1)).then((ok) => {
      done = ok;
    });
    await Bun.sleep(200);
    // More than the kernel buffers hold: the send waits for the server.
    expect(done).toBe(false);
    serverSide?.resume();
    await sending;
    expect(done).toBe(true);
    for (let i = 0; i < 200 && received < total; i++) await Bun.sleep(10);
    expect(received).toBe(total);
    serverSide?.terminate();
    for (let i = 0; i < 200 && (await sender.send(new Uint8Array(1024 * 1024))); i++) {
      await Bun.sleep(5);
    }
    expect(await sender.send(new Uint8Array(1))).toBe(false);
  } finally {
    socket.terminate();
    listener.stop(true);
  }
});
