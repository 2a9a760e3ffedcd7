// The classic BPF program attached to the receiving raw sockets (SO_ATTACH_FILTER), built as
// struct sock_filter[] in a typed array: the kernel then copies to us only what can be an
// answer (a TCP segment with ACK and SYN or RST to one of our source ports, or an ICMP
// destination-unreachable), not every TCP packet of the machine. A raw IPv4 socket's filter
// sees the packet from its IP header on.

// Opcodes (linux/filter.h, linux/bpf_common.h).
const LDB_ABS = 0x30; // A = byte [k]
const LDH_ABS = 0x28; // A = half [k]
const LDXB_MSH = 0xb1; // X = 4 * ([k] & 0xf): the IP header length
const LDH_IND = 0x48; // A = half [X + k]
const LDB_IND = 0x50; // A = byte [X + k]
const JEQ = 0x15;
const JGE = 0x35;
const JGT = 0x25;
const JSET = 0x45;
const AND = 0x54;
const RET = 0x06;

/** One instruction; jt/jf name a label (or are a relative count) for jumps. */
interface Op {
  code: number;
  k: number;
  jt?: string;
  jf?: string;
  label?: string;
}

/** The source port range whose answers we keep. */
export interface FilterPorts {
  first: number;
  last: number;
}

function program(ports: FilterPorts): Op[] {
  return [
    { code: LDB_ABS, k: 9 },
    { code: JEQ, k: 1, jt: "icmp", jf: "next" },
    { code: JEQ, k: 6, jt: "next", jf: "drop" },
    { code: LDH_ABS, k: 6 },
    { code: JSET, k: 0x1fff, jt: "drop", jf: "next" }, // a later fragment has no TCP header
    { code: LDXB_MSH, k: 0 },
    { code: LDH_IND, k: 2 }, // destination port
    { code: JGE, k: ports.first, jt: "next", jf: "drop" },
    { code: JGT, k: ports.last, jt: "drop", jf: "next" },
    { code: LDB_IND, k: 13 }, // flags
    { code: JSET, k: 0x10, jt: "next", jf: "drop" }, // ACK
    { code: AND, k: 0x06 }, // SYN | RST
    { code: JEQ, k: 0, jt: "drop", jf: "keep" },
    { code: LDXB_MSH, k: 0, label: "icmp" },
    { code: LDB_IND, k: 0 }, // ICMP type
    { code: JEQ, k: 3, jt: "keep", jf: "drop" },
    { code: RET, k: 0x40000, label: "keep" },
    { code: RET, k: 0, label: "drop" },
  ];
}

export const SOCK_FILTER_SIZE = 8;

/** struct sock_filter[] for `ports`, jumps resolved (little-endian, as x86_64 and arm64 are). */
export function answerFilter(ports: FilterPorts): Uint8Array {
  const ops = program(ports);
  const at = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.label) at.set(op.label, i);
  });
  const out = new Uint8Array(ops.length * SOCK_FILTER_SIZE);
  const v = new DataView(out.buffer);
  ops.forEach((op, i) => {
    const jump = (name?: string) =>
      name === undefined || name === "next" ? 0 : (at.get(name) as number) - i - 1;
    v.setUint16(i * 8, op.code, true);
    v.setUint8(i * 8 + 2, jump(op.jt));
    v.setUint8(i * 8 + 3, jump(op.jf));
    v.setUint32(i * 8 + 4, op.k, true);
  });
  return out;
}
