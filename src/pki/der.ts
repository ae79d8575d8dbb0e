// Minimal DER tag-length walker: finds the raw bytes of signed parts (CMP ProtectedPart, TBSCertificate)
// so that signatures are checked over exactly what was received; rejects trailing or truncated data.

import { assertStrictDer } from "../crypto/index.js";

export class DerError extends Error {
  override readonly name = "DerError";
}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

/** Reads one TLV at `offset`; only single-byte tags and definite lengths (DER) are accepted. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError("truncated element header");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not used in CMP");
  let pos = offset + 1;
  const first = buf[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new DerError("indefinite length encoding is not DER");
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError("element length too large");
    if (pos + n > limit) throw new DerError("truncated length");
    // X.690 §10.1: the shortest length form.
    if (buf[pos] === 0) throw new DerError("non-minimal length encoding is not DER");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
    if (length < 0x80) throw new DerError("non-minimal length encoding is not DER");
  }
  const end = pos + length;
  if (end > limit) throw new DerError("element extends past the end of the data");
  return { tag, start: offset, contentStart: pos, end };
}

/** The children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const t = readTlv(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** One TLV with the given single-byte tag around `parts`. */
export function derTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head = derHeader(tag, len);
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  let pos = head.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Wraps content in a SEQUENCE header (used to build ProtectedPart from raw header and body). */
export function derSequence(...parts: Uint8Array[]): Uint8Array {
  return derTlv(0x30, ...parts);
}

function derHeader(tag: number, len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(tag, len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.of(tag, 0x80 | bytes.length, ...bytes);
}

/**
 * Throws DerError unless `der` is one strict DER element with nothing after it (X.690 §10): for signed
 * and keyed objects, whose signatures must cover exactly one encoding.
 */
export function assertDer(der: Uint8Array, what = "element"): void {
  try {
    assertStrictDer(der, what);
  } catch (e) {
    throw new DerError(e instanceof Error ? e.message : String(e));
  }
}

/** Raw bytes of the first element of a strict DER SEQUENCE (the TBS part of a certificate, CRL or CSR). */
export function firstChild(der: Uint8Array): Uint8Array {
  // The signed object as a whole must be DER: a signature is checked over one encoding only.
  assertDer(der, "signed object");
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new DerError("not a SEQUENCE");
  const first = readTlv(der, outer.contentStart, outer.end);
  return der.subarray(first.start, first.end);
}
