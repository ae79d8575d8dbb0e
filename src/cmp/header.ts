// PKIHeader construction: fresh transactionID / nonces, response headers that echo the request
// (RFC 9810 §5.1.1, RFC 9483 §3.1).
import { publicRandom } from "../crypto/index.js";
import type { AlgorithmIdentifier, GeneralName } from "@peculiar/asn1-x509";
import { InfoTypeAndValue, InfoTypeAndValues, PKIFreeText, PKIHeader } from "../asn1/cmp.js";
import { nullDn } from "../pki/names.js";

/** pvno values: cmp2000(2), cmp2021(3). */
export const PVNO_CMP2000 = 2;
export const PVNO_CMP2021 = 3;

/** 128 random bits, the size RFC 9483 §3.1 asks for transactionID and senderNonce. */
export function freshId(): ArrayBuffer {
  return toArrayBuffer(publicRandom(16));
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export interface HeaderOptions {
  pvno?: number;
  sender?: GeneralName;
  recipient?: GeneralName;
  messageTime?: Date | null;
  protectionAlg?: AlgorithmIdentifier;
  senderKID?: Uint8Array;
  recipKID?: Uint8Array;
  transactionID?: Uint8Array;
  senderNonce?: Uint8Array;
  recipNonce?: Uint8Array;
  freeText?: string[];
  generalInfo?: InfoTypeAndValue[];
}

/** A header with a fresh transactionID and senderNonce unless given; messageTime now unless null. */
export function buildHeader(opts: HeaderOptions = {}): PKIHeader {
  const h = new PKIHeader({
    pvno: opts.pvno ?? PVNO_CMP2000,
    sender: opts.sender ?? nullDn(),
    recipient: opts.recipient ?? nullDn(),
  });
  if (opts.messageTime !== null) h.messageTime = truncateToSeconds(opts.messageTime ?? new Date());
  if (opts.protectionAlg) h.protectionAlg = opts.protectionAlg;
  if (opts.senderKID) h.senderKID = toArrayBuffer(opts.senderKID);
  if (opts.recipKID) h.recipKID = toArrayBuffer(opts.recipKID);
  h.transactionID = opts.transactionID ? toArrayBuffer(opts.transactionID) : freshId();
  h.senderNonce = opts.senderNonce ? toArrayBuffer(opts.senderNonce) : freshId();
  if (opts.recipNonce) h.recipNonce = toArrayBuffer(opts.recipNonce);
  if (opts.freeText?.length) h.freeText = new PKIFreeText(opts.freeText);
  if (opts.generalInfo?.length) h.generalInfo = new InfoTypeAndValues(opts.generalInfo);
  return h;
}

/**
 * The header of an answer to `request`: same pvno and transactionID, recipient = request sender,
 * recipNonce = request senderNonce, a fresh senderNonce (RFC 9810 §5.1.1, RFC 9483 §3.1).
 */
export function responseHeader(
  request: PKIHeader,
  opts: Omit<HeaderOptions, "transactionID" | "recipNonce">,
): PKIHeader {
  return buildHeader({
    ...opts,
    pvno: opts.pvno ?? request.pvno,
    recipient: opts.recipient ?? request.sender,
    transactionID: request.transactionID ? new Uint8Array(request.transactionID) : undefined,
    recipNonce: request.senderNonce ? new Uint8Array(request.senderNonce) : undefined,
  });
}

/** GeneralizedTime in DER carries no fractional zeros; CMP peers expect whole seconds. */
function truncateToSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

export function hex(buf: ArrayBuffer | Uint8Array | undefined): string {
  return buf ? Buffer.from(buf instanceof Uint8Array ? buf : new Uint8Array(buf)).toString("hex") : "";
}
