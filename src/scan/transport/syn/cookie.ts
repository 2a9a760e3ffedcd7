// The stateless SYN cookie (zmap, masscan): our sequence number is a keyed hash of the probe's
// addresses and ports under a per-run key, so an answer is checked against its own header
// alone (SYN-ACK and RST+ACK acknowledge seq + 1) and the scanner keeps no per-probe state.
import { type SipKey, sipHash24 } from "./siphash.ts";

export interface Flow {
  /** 4 or 16 address bytes, network order. */
  source: Uint8Array;
  destination: Uint8Array;
  sourcePort: number;
  destinationPort: number;
}

const message = new Uint8Array(36);
const hash = new Uint32Array(2);

/** The 32-bit sequence number of our SYN for `flow` (the hash's low word). */
export function cookieOf(key: SipKey, flow: Flow): number {
  const n = flow.source.length;
  message.set(flow.source, 0);
  message.set(flow.destination, n);
  const at = 2 * n;
  message[at] = flow.sourcePort >>> 8;
  message[at + 1] = flow.sourcePort & 0xff;
  message[at + 2] = flow.destinationPort >>> 8;
  message[at + 3] = flow.destinationPort & 0xff;
  return sipHash24(key, message, at + 4, hash)[1] as number;
}

/** Whether `ack` (of an answer to `flow`, seen from our side) acknowledges our SYN. */
export function acknowledgesCookie(key: SipKey, flow: Flow, ack: number): boolean {
  return ack === (cookieOf(key, flow) + 1) >>> 0;
}
