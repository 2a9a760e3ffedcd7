// Road (a) of docs/portable-engine.md: a TCP connect scan on node:net, destroy() on timeout
// (frees a pending connect's descriptor). Usage: bun scan-node-net.mjs HOST [CONCURRENCY]
// Scans 1-65535 and prints the open ports as a comma list. Loopback only (the bench's use).
import net from "node:net";

const host = process.argv[2] ?? "127.0.0.1";
const concurrency = Number(process.argv[3] ?? 1000);
const TIMEOUT_MS = 1000;
const open = [];
let next = 1;

function probe(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (isOpen) => {
      clearTimeout(timer);
      socket.destroy();
      if (isOpen) open.push(port);
      resolve();
    };
    const timer = setTimeout(() => done(false), TIMEOUT_MS);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function lane() {
  while (next <= 65535) await probe(next++);
}

await Promise.all(Array.from({ length: concurrency }, lane));
console.log(open.sort((a, b) => a - b).join(","));
