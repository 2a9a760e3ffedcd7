// ICMP echo for host discovery (issue 18), where this process may send one: an unprivileged
// ICMP socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), allowed by net.ipv4.ping_group_range;
// the kernel fills in the identifier and checksum and hands back only our replies), else a raw
// one (root or CAP_NET_RAW: we build the packet and read every ICMP packet, skipping those that
// are not our echo replies). IPv4 and Linux only; elsewhere, or without either right, there is
// no echo and discovery says so. Non-blocking: the loop sends, then polls for replies.
import { dlopen, FFIType, ptr, read } from "bun:ffi";

const { i32, u32, i64, ptr: P } = FFIType;
const AF_INET = 2;
const SOCK_RAW = 3;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_ICMP = 1;
const ECHO_REQUEST = 8;
const ECHO_REPLY = 0;

const SYMBOLS = {
  socket: { args: [i32, i32, i32], returns: i32 },
  sendto: { args: [i32, P, u32, i32, P, u32], returns: i64 },
  recvfrom: { args: [i32, P, u32, i32, P, P], returns: i64 },
  close: { args: [i32], returns: i32 },
} as const;

type Symbols = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let symbols: Symbols | null | undefined;

function load(): Symbols | null {
  if (symbols !== undefined) return symbols;
  symbols = null;
  if (process.platform !== "linux") return null;
  for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
    try {
      symbols = dlopen(name, SYMBOLS).symbols;
      break;
    } catch {}
  }
  return symbols;
}

/** The Internet checksum (RFC 1071) of `bytes`. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2)
    sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (bytes.length % 2 === 1) sum += (bytes[bytes.length - 1] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An echo request: type 8, code 0, `id`, `seq`, 8 bytes of payload, checksummed. */
export function echoRequest(id: number, seq: number): Uint8Array {
  const packet = new Uint8Array(16);
  const view = new DataView(packet.buffer);
  packet[0] = ECHO_REQUEST;
  view.setUint16(4, id);
  view.setUint16(6, seq);
  packet.set(new TextEncoder().encode("tp-scan!"), 8);
  view.setUint16(2, checksum(packet));
  return packet;
}

/**
 * The ICMP message in a received datagram: a raw socket's starts with the IP header (its
 * length in the low nibble of byte 0), an ICMP socket's does not. null unless an echo reply.
 */
export function parseEchoReply(data: Uint8Array, raw: boolean): { id: number; seq: number } | null {
  const at = raw ? ((data[0] as number) & 0x0f) * 4 : 0;
  if (data.length < at + 8 || data[at] !== ECHO_REPLY) return null;
  const view = new DataView(data.buffer, data.byteOffset + at);
  return { id: view.getUint16(4), seq: view.getUint16(6) };
}

export class IcmpEcho {
  private readonly buffer = new Uint8Array(1500);
  private readonly from = new Uint8Array(16);
  private readonly fromLength = new Uint32Array([16]);
  private readonly to = new Uint8Array(16);
  /** Our identifier on a raw socket (an ICMP socket's is the kernel's). */
  private readonly id = process.pid & 0xffff;

  private constructor(
    private readonly lib: Symbols,
    private readonly fd: number,
    readonly kind: "icmp-socket" | "raw",
  ) {}

  /** An echo socket if this process may have one, else null. */
  static open(): IcmpEcho | null {
    const lib = load();
    if (!lib) return null;
    const flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    const dgram = lib.socket(AF_INET, SOCK_DGRAM | flags, IPPROTO_ICMP);
    if (dgram >= 0) return new IcmpEcho(lib, dgram, "icmp-socket");
    const raw = lib.socket(AF_INET, SOCK_RAW | flags, IPPROTO_ICMP);
    return raw >= 0 ? new IcmpEcho(lib, raw, "raw") : null;
  }

  /** Send an echo request to IPv4 `address` (4 network-order bytes); `seq` tags it. */
  send(address: Uint8Array, seq: number): boolean {
    const packet = echoRequest(this.id, seq);
    this.to.fill(0);
    this.to[0] = AF_INET; // sockaddr_in: family (little-endian u16), port 0, address
    this.to.set(address.subarray(0, 4), 4);
    return this.lib.sendto(this.fd, ptr(packet), packet.length, 0, ptr(this.to), 16) >= 0;
  }

  /** Read every reply waiting; `onReply(address as u32, seq)` for each echo reply. */
  poll(onReply: (address: number, seq: number) => void): void {
    for (;;) {
      this.fromLength[0] = 16;
      const n = Number(
        this.lib.recvfrom(
          this.fd,
          ptr(this.buffer),
          this.buffer.length,
          0,
          ptr(this.from),
          ptr(this.fromLength),
        ),
      );
      if (n <= 0) return;
      const reply = parseEchoReply(this.buffer.subarray(0, n), this.kind === "raw");
      if (!reply || (this.kind === "raw" && reply.id !== this.id)) continue;
      onReply(read.u32(ptr(this.from), 4), reply.seq);
    }
  }

  close(): void {
    this.lib.close(this.fd);
  }
}

let allowed: boolean | undefined;

/** May this process send an ICMP echo (checked once: a socket opened and closed)? */
export function echoAllowed(): boolean {
  if (allowed === undefined) {
    const echo = IcmpEcho.open();
    echo?.close();
    allowed = echo !== null;
  }
  return allowed;
}

/** An IPv4 address's bytes as the u32 that poll() reports (read in host order). */
export function addressKey(address: Uint8Array): number {
  return new DataView(address.buffer, address.byteOffset, 4).getUint32(0, true);
}
