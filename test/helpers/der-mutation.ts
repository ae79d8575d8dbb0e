// Seeded mutations of DER for the tests that compare two decoders: a deterministic PRNG, single-byte
// mutations (flip, replace, truncate, delete, insert) and whether a mutant is still a well-formed TLV tree.
import { DerError, readTlv } from "../../src/pki/der.js";

/** mulberry32: a small deterministic PRNG, so a failing run can be repeated from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One byte-level mutation at a random offset: a bit flipped, a byte replaced, truncated, deleted, inserted. */
export function mutateByte(der: Uint8Array, rnd: () => number): Uint8Array {
  const at = Math.floor(rnd() * der.length);
  const kind = Math.floor(rnd() * 5);
  if (kind === 0) return Uint8Array.from(der, (b, i) => (i === at ? b ^ (1 << Math.floor(rnd() * 8)) : b));
  if (kind === 1) return Uint8Array.from(der, (b, i) => (i === at ? Math.floor(rnd() * 256) : b));
  if (kind === 2) return der.slice(0, at);
  if (kind === 3) return new Uint8Array([...der.subarray(0, at), ...der.subarray(at + 1)]);
  return new Uint8Array([...der.subarray(0, at), Math.floor(rnd() * 256), ...der.subarray(at)]);
}

/** Whether every constructed element's children exactly fill it (walked with the older TLV reader). */
export function wellFormedTree(der: Uint8Array): boolean {
  const walk = (start: number, end: number): void => {
    for (let pos = start; pos < end;) {
      const t = readTlv(der, pos, end);
      if (t.tag & 0x20) walk(t.contentStart, t.end);
      pos = t.end;
    }
  };
  try {
    walk(0, der.length);
    return true;
  } catch (e) {
    if (e instanceof DerError) return false;
    throw e;
  }
}
