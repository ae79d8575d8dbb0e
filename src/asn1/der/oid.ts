// OBJECT IDENTIFIER (X.690 §8.19) between DER and dotted text, as the schema parser and serialiser do;
// the OIDs a server reads and writes again and again (algorithms, extension and attribute types) once.
import { DerSyntaxError } from "./reader.js";
import { DerWriter } from "./writer.js";

const known = new Map<string, string>();
const MAX_KNOWN = 512;
/** Longer encodings are decoded every time rather than kept (parsing runs before authentication). */
const MAX_KEPT_BYTES = 32;

/**
 * Dotted text of DER OBJECT IDENTIFIER contents. Minimal subidentifiers only (no leading 0x80 octet,
 * X.690 §8.19.2) and arcs below 2^48, so that every arc is an exact JavaScript number.
 */
export function oidText(content: Uint8Array): string {
  const key = content.length <= MAX_KEPT_BYTES ? Buffer.from(content).toString("latin1") : undefined;
  const hit = key === undefined ? undefined : known.get(key);
  if (hit !== undefined) return hit;
  const text = decode(content);
  if (key !== undefined) {
    if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
    known.set(key, text);
  }
  return text;
}

function decode(c: Uint8Array): string {
  if (c.length === 0) throw new DerSyntaxError("empty OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let v = 0;
  let fresh = true;
  for (const b of c) {
    if (fresh && b === 0x80)
      throw new DerSyntaxError("OBJECT IDENTIFIER subidentifier with a leading 0x80 is not DER");
    v = v * 128 + (b & 0x7f);
    if (v >= 2 ** 48) throw new DerSyntaxError("OBJECT IDENTIFIER arc out of range");
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(v);
      v = 0;
    }
  }
  if (!fresh) throw new DerSyntaxError("truncated OBJECT IDENTIFIER");
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

/** DER OBJECT IDENTIFIER (tag, length, contents) of a dotted OID, kept once made. */
const oidCache = new Map<string, Uint8Array>();

export function oidDer(oid: string): Uint8Array {
  let der = oidCache.get(oid);
  if (der) return der;
  const arcs = oid.split(".").map((a) => BigInt(a));
  const body: number[] = [];
  const first = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  for (const arc of first) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...groups);
  }
  der = new DerWriter(body.length + 4).primitive(0x06, new Uint8Array(body)).finish();
  if (oidCache.size < 256 && oid.length <= 64) oidCache.set(oid, der);
  return der;
}
