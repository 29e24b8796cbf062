// Deterministic byte-level mutations of encoded Diameter messages, for the fuzz tests.

/** Small deterministic PRNG so a failure can be replayed from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x40, 0x7f, 0x80, 0xc0, 0xff];

/**
 * 1 to 4 mutations: bit flip, interesting byte, random byte, 24-bit length overwrite at an AVP
 * length position, deletion, duplication of a slice, truncation. The header's length is then
 * made to match (most of the time) so that the decoder goes past the framing checks.
 */
export function mutateBytes(src: Buffer, rnd: () => number, fixLength = rnd() < 0.85): Buffer {
  let out = Buffer.from(src);
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops && out.length > 0; k++) {
    const at = Math.floor(rnd() * out.length);
    const r = rnd();
    if (r < 0.2) out[at]! ^= 1 << Math.floor(rnd() * 8);
    else if (r < 0.35) out[at] = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
    else if (r < 0.5) out[at] = Math.floor(rnd() * 256);
    else if (r < 0.65 && out.length >= 28) {
      const pos = Math.min(((at & ~3) | 0) + 1, out.length - 3);
      out.writeUIntBE(rnd() < 0.5 ? Math.floor(rnd() * 64) : Math.floor(rnd() * 0x1000000), pos, 3);
    } else if (r < 0.78)
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(rnd() * 12))]);
    else if (r < 0.9) {
      const from = Math.floor(rnd() * out.length);
      out = Buffer.concat([
        out.subarray(0, at),
        out.subarray(from, from + Math.floor(rnd() * 40)),
        out.subarray(at),
      ]);
    } else out = out.subarray(0, at);
  }
  if (fixLength && out.length >= 4) {
    out[0] = 1;
    out.writeUIntBE(out.length, 1, 3);
  }
  return out;
}
