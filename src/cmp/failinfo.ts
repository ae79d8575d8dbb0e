// PKIFailureInfo bit names (RFC 9810 §5.2.3) and conversion to and from the DER BIT STRING.
import { BitString } from "@peculiar/asn1-schema";

/** PKIFailureInfo bits in order: the index is the bit number. */
export const FailInfoNames = [
  "badAlg",
  "badMessageCheck",
  "badRequest",
  "badTime",
  "badCertId",
  "badDataFormat",
  "wrongAuthority",
  "incorrectData",
  "missingTimeStamp",
  "badPOP",
  "certRevoked",
  "certConfirmed",
  "wrongIntegrity",
  "badRecipientNonce",
  "timeNotAvailable",
  "unacceptedPolicy",
  "unacceptedExtension",
  "addInfoNotAvailable",
  "badSenderNonce",
  "badCertTemplate",
  "signerNotTrusted",
  "transactionIdInUse",
  "unsupportedVersion",
  "notAuthorized",
  "systemUnavail",
  "systemFailure",
  "duplicateCertReq",
] as const;
export type FailInfo = (typeof FailInfoNames)[number];

/** Encodes failure bits as a DER named-bit BIT STRING: trailing zero bits removed (X.690 §11.2.2). */
export function encodeFailInfo(bits: readonly FailInfo[]): BitString {
  if (bits.length === 0) return new BitString(new Uint8Array(0), 0);
  const numbers = bits.map((b) => FailInfoNames.indexOf(b));
  const highest = Math.max(...numbers);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const n of numbers) bytes[n >> 3]! |= 0x80 >> (n & 7);
  const unused = 7 - (highest & 7);
  return new BitString(bytes, unused);
}

/** Decodes a PKIFailureInfo BIT STRING into bit names; unknown bits are reported by number. */
export function decodeFailInfo(bits: BitString | undefined): (FailInfo | `bit${number}`)[] {
  if (!bits) return [];
  const bytes = new Uint8Array(bits.value);
  const total = bytes.length * 8 - bits.unusedBits;
  const out: (FailInfo | `bit${number}`)[] = [];
  for (let n = 0; n < total; n++) {
    if (bytes[n >> 3]! & (0x80 >> (n & 7))) out.push(FailInfoNames[n] ?? `bit${n}`);
  }
  return out;
}
