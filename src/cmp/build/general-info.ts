// generalInfo entries of the PKIHeader that RFC 9483 uses (§3.1, §4.1.1, §4.1): implicitConfirm,
// confirmWaitTime, certProfile — built for sending and read from received headers.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { InfoTypeAndValue, type PKIHeader } from "../../asn1/cmp.js";
import { CertProfileValue, GeneralizedTimeValue } from "../../asn1/itav.js";
import * as oids from "../../asn1/oids.js";
import { CmpError } from "../errors.js";

const NULL_DER = Uint8Array.of(0x05, 0x00);

/** RFC 9810 §5.1.1.1: ImplicitConfirmValue ::= NULL. */
export function implicitConfirmItav(): InfoTypeAndValue {
  return new InfoTypeAndValue({ infoType: oids.id_it_implicitConfirm, infoValue: NULL_DER.slice().buffer });
}

/** RFC 9810 §5.1.1.2: ConfirmWaitTimeValue ::= GeneralizedTime, whole seconds. */
export function confirmWaitTimeItav(deadline: Date): InfoTypeAndValue {
  const t = new Date(Math.floor(deadline.getTime() / 1000) * 1000);
  return new InfoTypeAndValue({
    infoType: oids.id_it_confirmWaitTime,
    infoValue: AsnSerializer.serialize(new GeneralizedTimeValue(t)),
  });
}

/** RFC 9483 §3.1 / RFC 9810 §5.1.1.4: CertProfileValue ::= SEQUENCE SIZE (1..MAX) OF UTF8String. */
export function certProfileItav(name: string): InfoTypeAndValue {
  return new InfoTypeAndValue({
    infoType: oids.id_it_certProfile,
    infoValue: AsnSerializer.serialize(new CertProfileValue([name])),
  });
}

function find(h: PKIHeader, oid: string): InfoTypeAndValue | undefined {
  return h.generalInfo?.find((i) => i.infoType === oid);
}

export function hasImplicitConfirm(h: PKIHeader): boolean {
  return find(h, oids.id_it_implicitConfirm) !== undefined;
}

/** The certificate profile named in generalInfo, if any. */
export function certProfileOf(h: PKIHeader): string | undefined {
  const gi = find(h, oids.id_it_certProfile);
  if (!gi?.infoValue) return undefined;
  try {
    return AsnParser.parse(gi.infoValue, CertProfileValue)[0];
  } catch {
    throw new CmpError("badRequest", "certProfile in generalInfo is malformed");
  }
}
