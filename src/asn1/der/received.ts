// The DER a parsed value was read from, for values whose bytes are needed again (a POP signature covers
// certReq as sent; a public key goes to the crypto layer as DER): kept only when strict DER, so that the
// bytes are what the schema serialiser would write for the value.
import { isStrictDerTree } from "./reader.js";

const received = new WeakMap<object, Uint8Array>();

/** Notes that `value` was parsed from `der` (when `der` is strict DER throughout; `checked`: known to be). */
export function noteReceived(value: object, der: Uint8Array, checked = false): void {
  if (checked || isStrictDerTree(der)) received.set(value, der);
}

/** The DER `value` was parsed from, if noted. */
export function receivedDer(value: object): Uint8Array | undefined {
  return received.get(value);
}

/** Values known to serialise again (read directly from DER, or serialised once already). */
const wellFormed = new WeakSet<object>();

export function noteWellFormed<T extends object>(value: T): T {
  wellFormed.add(value);
  return value;
}

export function isWellFormed(value: object): boolean {
  return wellFormed.has(value);
}
