// SipHash-2-4 (Aumasson and Bernstein, 2012) over 32-bit halves: a keyed 64-bit hash of a short
// message, the SYN scan's cookie (masscan uses the same). Numbers, not BigInt: the cookie is
// computed for every probe sent and every answer read, and a BigInt version allocates per step.

/** A 128-bit key as four little-endian 32-bit words: k0 = (w1:w0), k1 = (w3:w2). */
export type SipKey = Uint32Array;

export function sipKeyOf(bytes: Uint8Array): SipKey {
  if (bytes.length !== 16) throw new Error("a SipHash key is 16 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return Uint32Array.of(
    view.getUint32(0, true),
    view.getUint32(4, true),
    view.getUint32(8, true),
    view.getUint32(12, true),
  );
}

/** A fresh random key (one per run). */
export function randomSipKey(): SipKey {
  return sipKeyOf(crypto.getRandomValues(new Uint8Array(16)));
}

// The state v0..v3 as (hi, lo) pairs, module-level so that a hash allocates nothing.
let v0h = 0;
let v0l = 0;
let v1h = 0;
let v1l = 0;
let v2h = 0;
let v2l = 0;
let v3h = 0;
let v3l = 0;

function sipRound(): void {
  // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
  let lo = (v0l + v1l) >>> 0;
  v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0;
  v0l = lo;
  let h = ((v1h << 13) | (v1l >>> 19)) >>> 0;
  let l = ((v1l << 13) | (v1h >>> 19)) >>> 0;
  v1h = (h ^ v0h) >>> 0;
  v1l = (l ^ v0l) >>> 0;
  h = v0h;
  v0h = v0l;
  v0l = h;
  // v2 += v3; v3 = rotl(v3, 16) ^ v2
  lo = (v2l + v3l) >>> 0;
  v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0;
  v2l = lo;
  h = ((v3h << 16) | (v3l >>> 16)) >>> 0;
  l = ((v3l << 16) | (v3h >>> 16)) >>> 0;
  v3h = (h ^ v2h) >>> 0;
  v3l = (l ^ v2l) >>> 0;
  // v0 += v3; v3 = rotl(v3, 21) ^ v0
  lo = (v0l + v3l) >>> 0;
  v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0;
  v0l = lo;
  h = ((v3h << 21) | (v3l >>> 11)) >>> 0;
  l = ((v3l << 21) | (v3h >>> 11)) >>> 0;
  v3h = (h ^ v0h) >>> 0;
  v3l = (l ^ v0l) >>> 0;
  // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
  lo = (v2l + v1l) >>> 0;
  v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0;
  v2l = lo;
  h = ((v1h << 17) | (v1l >>> 15)) >>> 0;
  l = ((v1l << 17) | (v1h >>> 15)) >>> 0;
  v1h = (h ^ v2h) >>> 0;
  v1l = (l ^ v2l) >>> 0;
  h = v2h;
  v2h = v2l;
  v2l = h;
}

function compress(mh: number, ml: number): void {
  v3h = (v3h ^ mh) >>> 0;
  v3l = (v3l ^ ml) >>> 0;
  sipRound();
  sipRound();
  v0h = (v0h ^ mh) >>> 0;
  v0l = (v0l ^ ml) >>> 0;
}

/** Little-endian 32-bit word of `m` at `at`, bytes past `end` read as 0. */
function word(m: Uint8Array, at: number, end: number): number {
  let w = 0;
  for (let i = 3; i >= 0; i--) w = (w << 8) | (at + i < end ? (m[at + i] as number) : 0);
  return w >>> 0;
}

/**
 * SipHash-2-4 of `m[0..length)` under `key`; the 64-bit result as [hi, lo] written into `out`
 * (returned), so that the caller owns the only allocation.
 */
export function sipHash24(
  key: SipKey,
  m: Uint8Array,
  length = m.length,
  out = new Uint32Array(2),
): Uint32Array {
  const k0l = key[0] as number;
  const k0h = key[1] as number;
  const k1l = key[2] as number;
  const k1h = key[3] as number;
  // "somepseudorandomlygeneratedbytes"
  v0h = (k0h ^ 0x736f6d65) >>> 0;
  v0l = (k0l ^ 0x70736575) >>> 0;
  v1h = (k1h ^ 0x646f7261) >>> 0;
  v1l = (k1l ^ 0x6e646f6d) >>> 0;
  v2h = (k0h ^ 0x6c796765) >>> 0;
  v2l = (k0l ^ 0x6e657261) >>> 0;
  v3h = (k1h ^ 0x74656462) >>> 0;
  v3l = (k1l ^ 0x79746573) >>> 0;
  const whole = length - (length % 8);
  for (let at = 0; at < whole; at += 8) compress(word(m, at + 4, length), word(m, at, length));
  // Last block: the 0-7 bytes left, the length's low byte in the top byte.
  const tailHi = (word(m, whole + 4, length) | ((length & 0xff) << 24)) >>> 0;
  compress(tailHi, word(m, whole, length));
  v2l = (v2l ^ 0xff) >>> 0;
  for (let i = 0; i < 4; i++) sipRound();
  out[0] = v0h ^ v1h ^ v2h ^ v3h;
  out[1] = v0l ^ v1l ^ v2l ^ v3l;
  return out;
}
