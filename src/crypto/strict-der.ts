// Strict DER checking (X.690 §10) for signed and keyed objects: certificates, SPKI, PKCS#8, CRLs, CSRs
// are refused when they carry BER encodings or bytes after the element.
import { CryptoError } from "./errors.js";

const STRICT_MAX_DEPTH = 64;

/**
 * Throws CryptoError unless `der` is exactly one DER element: definite, minimal lengths (X.690 §10.1),
 * no trailing bytes, primitive forms of the universal string types (§10.2), BOOLEAN as 00 / FF (§11.1).
 * Constructed elements are checked to the bottom; OCTET / BIT STRING contents are left alone.
 */
export function assertStrictDer(der: Uint8Array, what = "element"): void {
  const end = strictTlv(der, 0, der.length, 0, what);
  if (end !== der.length) throw new CryptoError(`${der.length - end} trailing byte(s) after the ${what}`);
}

function strictTlv(b: Uint8Array, off: number, limit: number, depth: number, what: string): number {
  const bad = (why: string) => new CryptoError(`${what} is not DER: ${why} at offset ${off}`);
  if (depth > STRICT_MAX_DEPTH) throw bad("nesting too deep");
  if (off + 2 > limit) throw bad("truncated element");
  const tag = b[off]!;
  let p = off + 1;
  if ((tag & 0x1f) === 0x1f) {
    if (b[p] === 0x80) throw bad("non-minimal tag number");
    while (p < limit && b[p]! & 0x80) p++;
    p++;
  }
  if (p >= limit) throw bad("truncated element");
  const first = b[p++]!;
  let len = first;
  if (first === 0x80) throw bad("indefinite length");
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4 || p + n > limit) throw bad("length field too long");
    if (b[p] === 0) throw bad("non-minimal length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
    if (len < 0x80) throw bad("non-minimal length");
  }
  const end = p + len;
  if (end > limit) throw bad("element extends past its container");
  const constructed = (tag & 0x20) !== 0;
  const universal = (tag & 0xc0) === 0;
  if (universal && constructed && tag !== 0x30 && tag !== 0x31) throw bad("constructed string form");
  if (tag === 0x01 && (len !== 1 || (b[p] !== 0 && b[p] !== 0xff))) throw bad("BOOLEAN not 00 or FF");
  if (constructed) {
    for (let q = p; q < end;) q = strictTlv(b, q, end, depth + 1, what);
  }
  return end;
}
