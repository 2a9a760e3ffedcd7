// One TCP connect at a time with the kernel's own errno (Bun's sockets report EHOSTUNREACH as
// ECONNREFUSED, so they cannot tell an unreachable host from a closed port): for the WAN lab's
// tests and bench, run inside the scanner namespace.
//   bun scripts/wan/probe.ts [--timeout MS] [--repeat N] ADDRESS:PORT...   ([IPv6]:PORT)
// prints one JSON line per attempt: {"address","port","result","ms"}, result "open", "timeout"
// or the errno name (ECONNREFUSED, EHOSTUNREACH, ...).
//   bun scripts/wan/probe.ts --burst [--timeout MS] ADDRESS:FIRST-LAST
// connects to every port of the range at once (Bun sockets) and prints one JSON line of counts
// by outcome: {"open":N,"refused":N,"timeout":N} (refused counts EHOSTUNREACH too).
import { dlopen, FFIType, type Pointer, ptr, read } from "bun:ffi";

const { i32, u32, ptr: P } = FFIType;
const SYMBOLS = {
  socket: { args: [i32, i32, i32], returns: i32 },
  connect: { args: [i32, P, u32], returns: i32 },
  setsockopt: { args: [i32, i32, i32, P, u32], returns: i32 },
  close: { args: [i32], returns: i32 },
  __errno_location: { args: [], returns: P },
} as const;
let loaded: ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"] | undefined;

/** libc, opened on first use (importing this module for ipv6Bytes costs nothing). */
function libc() {
  loaded ??= dlopen("libc.so.6", SYMBOLS).symbols;
  return { libc: loaded, errnoAt: loaded.__errno_location() as Pointer };
}
const ERRNO_NAMES: Record<number, string> = {
  101: "ENETUNREACH",
  99: "EADDRNOTAVAIL",
  104: "ECONNRESET",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
  115: "timeout", // EINPROGRESS: SO_SNDTIMEO ran out before an answer
};
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_SNDTIMEO = 21;

export interface ProbeResult {
  address: string;
  port: number;
  result: string;
  ms: number;
}

/** 16 bytes of an IPv6 address in text ("2001:2::1:fe"). */
export function ipv6Bytes(address: string): Uint8Array {
  const halves = address.split("::");
  if (halves.length > 2) throw new Error(`bad IPv6 address '${address}'`);
  const [head = "", tail] = halves;
  const groups = (text: string) => (text ? text.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff)))
    throw new Error(`bad IPv6 address '${address}'`);
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** sockaddr_in or sockaddr_in6 for address:port. */
function sockaddrOf(address: string, port: number): Uint8Array {
  const v6 = address.includes(":");
  const sockaddr = new Uint8Array(v6 ? 28 : 16);
  const view = new DataView(sockaddr.buffer);
  view.setUint16(0, v6 ? AF_INET6 : AF_INET, true);
  view.setUint16(2, port, false);
  if (v6) sockaddr.set(ipv6Bytes(address), 8);
  else sockaddr.set(address.split(".").map(Number), 4);
  return sockaddr;
}

/** Blocking connect to address:port, given up after timeoutMs. */
export function probe(address: string, port: number, timeoutMs: number): ProbeResult {
  const sockaddr = sockaddrOf(address, port);
  const timeval = new BigInt64Array([
    BigInt(Math.floor(timeoutMs / 1000)),
    BigInt((timeoutMs % 1000) * 1000),
  ]);
  const { libc: c, errnoAt } = libc();
  const fd = c.socket(sockaddr.length === 28 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error(`socket: errno ${read.i32(errnoAt, 0)}`);
  c.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, ptr(timeval), 16);
  const start = performance.now();
  const rc = c.connect(fd, ptr(sockaddr), sockaddr.length);
  const ms = performance.now() - start;
  const errno = read.i32(errnoAt, 0);
  c.close(fd);
  const result = rc === 0 ? "open" : (ERRNO_NAMES[errno] ?? `errno ${errno}`);
  return { address, port, result, ms: Math.round(ms * 100) / 100 };
}

/** Connect to every port at once; how many were open, refused, or silent until timeoutMs. */
export async function burst(address: string, ports: number[], timeoutMs: number) {
  const counts = { open: 0, refused: 0, timeout: 0 };
  await Promise.all(
    ports.map(async (port) => {
      const outcome = await new Promise<keyof typeof counts>((resolve) => {
        const timer = setTimeout(() => resolve("timeout"), timeoutMs);
        const done = (o: keyof typeof counts) => {
          clearTimeout(timer);
          resolve(o);
        };
        Bun.connect({
          hostname: address,
          port,
          socket: {
            data() {},
            open(s) {
              s.end();
              done("open");
            },
            connectError: () => done("refused"),
          },
        }).catch(() => done("refused"));
      });
      counts[outcome]++;
    }),
  );
  return counts;
}

/** "198.19.1.1:22" or "[2001:2::1:1]:22" → address, port part. */
function splitTarget(arg: string): [string, string] {
  const colon = arg.lastIndexOf(":");
  return [arg.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), arg.slice(colon + 1)];
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  let timeoutMs = 2000;
  let repeat = 1;
  let isBurst = false;
  const targets: [string, number][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--timeout") timeoutMs = Number(argv[++i]);
    else if (arg === "--repeat") repeat = Number(argv[++i]);
    else if (arg === "--burst") isBurst = true;
    else if (isBurst) {
      const [address, range] = splitTarget(arg);
      const [first = 0, last = first] = range.split("-").map(Number);
      const ports = Array.from({ length: last - first + 1 }, (_, k) => first + k);
      console.log(JSON.stringify(await burst(address, ports, timeoutMs)));
      process.exit(0);
    } else {
      const [address, port] = splitTarget(arg);
      targets.push([address, Number(port)]);
    }
  }
  for (let r = 0; r < repeat; r++)
    for (const [address, port] of targets)
      console.log(JSON.stringify(probe(address, port, timeoutMs)));
}
