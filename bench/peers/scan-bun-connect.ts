// Road (b) of docs/portable-engine.md: a TCP connect scan on Bun.connect. Usage:
//   bun scan-bun-connect.ts HOST FIRST LAST [CONCURRENCY] [TIMEOUT_MS] [fds]
// Prints the open ports as a comma list; with "fds", then (stderr) this process's open
// descriptors right after the scan and a second later: Bun.connect gives no handle to a pending connect, so a
// probe that timed out cannot be closed and its descriptor stays until the kernel gives up.
import { readdirSync } from "node:fs";

const [host = "127.0.0.1", first = "1", last = "65535", width = "1000", timeout = "1000", report] =
  process.argv.slice(2);
const open: number[] = [];
let next = Number(first);
const end = Number(last);
const fds = () => readdirSync("/proc/self/fd").length - 1;

function probe(port: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Number(timeout)); // gives up waiting; cannot cancel
    Bun.connect({
      hostname: host,
      port,
      socket: {
        open(s) {
          s.end();
        },
        data() {},
        error() {},
        connectError() {},
      },
    }).then(
      () => {
        open.push(port);
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

async function lane(): Promise<void> {
  while (next <= end) await probe(next++);
}

const before = fds();
await Promise.all(Array.from({ length: Number(width) }, lane));
console.log(open.sort((a, b) => a - b).join(","));
if (report === "fds") {
  const after = fds();
  await Bun.sleep(1000);
  console.error(`fds before ${before}, after ${after}, a second later ${fds()}`);
}
process.exit(0);
