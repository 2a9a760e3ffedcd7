// The secret: uniform in 1..max for a BigInt max of any size, from the platform's
// cryptographic source. Rejection sampling, not `random % max`, so no value is favoured.

export type FillRandom = (bytes: Uint8Array) => Uint8Array;

const cryptoFill: FillRandom = (bytes) => {
  // getRandomValues takes at most 65,536 bytes per call; 10^1000 needs 416.
  for (let at = 0; at < bytes.length; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(bytes.length, at + 65_536)));
  }
  return bytes;
};

/** Number of bits needed to write n (n >= 1). */
export function bitLength(n: bigint): number {
  return n.toString(2).length;
}

function toBigInt(bytes: Uint8Array): bigint {
  let hex = "0x";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return BigInt(hex);
}

/**
 * A uniform integer in 1..max. Draws just enough random bits to cover 0..max-1, masks the
 * excess high bits and draws again when the value falls outside: each draw succeeds with
 * probability above 1/2, and every accepted value is equally likely.
 */
export function randomSecret(max: bigint, fill: FillRandom = cryptoFill): bigint {
  if (max < 1n) throw new RangeError("max must be at least 1");
  if (max === 1n) return 1n;
  const bits = bitLength(max - 1n);
  const bytes = new Uint8Array(Math.ceil(bits / 8));
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const candidate = toBigInt(fill(bytes)) & mask;
    if (candidate < max) return candidate + 1n;
  }
}
