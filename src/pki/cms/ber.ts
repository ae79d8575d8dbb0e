// Reading BER where CMS allows it (RFC 5652 §2, X.690 §8.7): the content octets of an OCTET STRING
// given in primitive or constructed form, with definite or indefinite lengths.
import { CmsError } from "./common.js";

interface Tlv {
  tag: number;
  constructed: boolean;
  /** Start and end of the contents; end excludes the end-of-contents octets. */
  start: number;
  end: number;
  /** The offset after the whole element. */
  next: number;
}

function header(
  b: Uint8Array,
  at: number,
): { tag: number; constructed: boolean; len?: number; start: number } {
  if (at + 2 > b.length) throw new CmsError("truncated BER element");
  const first = b[at]!;
  if ((first & 0x1f) === 0x1f) throw new CmsError("BER high tag numbers are not expected here");
  const l = b[at + 1]!;
  if (l === 0x80) return { tag: first & ~0x20, constructed: (first & 0x20) !== 0, start: at + 2 };
  if (l < 0x80) return { tag: first & ~0x20, constructed: (first & 0x20) !== 0, len: l, start: at + 2 };
  const n = l & 0x7f;
  if (n > 4 || at + 2 + n > b.length) throw new CmsError("BER length too long");
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
  return { tag: first & ~0x20, constructed: (first & 0x20) !== 0, len, start: at + 2 + n };
}

/** One element at `at`; an indefinite length ends at its end-of-contents octets (X.690 §8.1.5). */
function element(b: Uint8Array, at: number, depth = 0): Tlv {
  if (depth > 32) throw new CmsError("BER nested too deeply");
  const h = header(b, at);
  if (h.len !== undefined) {
    const end = h.start + h.len;
    if (end > b.length) throw new CmsError("truncated BER element");
    return { tag: h.tag, constructed: h.constructed, start: h.start, end, next: end };
  }
  if (!h.constructed) throw new CmsError("a primitive BER element with an indefinite length");
  let p = h.start;
  while (!(b[p] === 0 && b[p + 1] === 0)) {
    if (p >= b.length) throw new CmsError("BER end-of-contents missing");
    p = element(b, p, depth + 1).next;
  }
  return { tag: h.tag, constructed: true, start: h.start, end: p, next: p + 2 };
}

function collect(b: Uint8Array, e: Tlv, out: Uint8Array[], depth: number): void {
  if (e.tag !== 0x04) throw new CmsError("a constructed OCTET STRING holds something else");
  if (!e.constructed) {
    out.push(b.subarray(e.start, e.end));
    return;
  }
  for (let p = e.start; p < e.end;) {
    const seg = element(b, p, depth + 1);
    collect(b, seg, out, depth + 1);
    p = seg.next;
  }
}

/** The content octets of an OCTET STRING in BER (X.690 §8.7): segments of a constructed one joined. */
export function berOctetString(encoded: Uint8Array): Uint8Array {
  const e = element(encoded, 0);
  if (e.next !== encoded.length) throw new CmsError("data after the OCTET STRING");
  const parts: Uint8Array[] = [];
  collect(encoded, e, parts, 0);
  return new Uint8Array(Buffer.concat(parts));
}
