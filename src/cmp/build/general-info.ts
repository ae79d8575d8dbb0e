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

/** The certificate profile named in generalInfo, if any (checked by checkGeneralInfo). */
export function certProfileOf(h: PKIHeader): string | undefined {
  const gi = find(h, oids.id_it_certProfile);
  if (!gi?.infoValue) return undefined;
  return readCertProfile(gi.infoValue);
}

/** The confirmWaitTime deadline of a response header, if any (RFC 9483 §4.1.1). */
export function confirmWaitTimeOf(h: PKIHeader): Date | undefined {
  const gi = find(h, oids.id_it_confirmWaitTime);
  return gi ? readConfirmWaitTime(gi) : undefined;
}

// Every failure of a generalInfo value is badDataFormat: the value is not the ASN.1 its infoType names
// (RFC 9483 §3.5 / §3.6.4).
function malformed(what: string): CmpError {
  return new CmpError("badDataFormat", `${what} in generalInfo is malformed`);
}

function readCertProfile(value: ArrayBuffer): string {
  let names: CertProfileValue;
  try {
    names = AsnParser.parse(value, CertProfileValue);
  } catch {
    throw malformed("certProfile");
  }
  // RFC 9483 §3.1: certProfile holds exactly one name in a request of the profile.
  if (names.length !== 1) throw malformed("certProfile (it must hold exactly one UTF8String)");
  return names[0]!;
}

function readConfirmWaitTime(gi: InfoTypeAndValue): Date {
  if (!gi.infoValue) throw malformed("confirmWaitTime (value missing)");
  let t: Date | undefined;
  try {
    t = AsnParser.parse(gi.infoValue, GeneralizedTimeValue).value;
  } catch {
    t = undefined;
  }
  if (!(t instanceof Date) || Number.isNaN(t.getTime()))
    throw malformed("confirmWaitTime (not a GeneralizedTime)");
  return t;
}

function isNullValue(v: ArrayBuffer | null | undefined): boolean {
  return v === null || (v !== undefined && Buffer.from(v).equals(Buffer.from(NULL_DER)));
}

/**
 * RFC 9483 §3.1 / RFC 9810 §5.1.1: the generalInfo values this profile names have the syntax of their
 * infoType: implicitConfirm is NULL, confirmWaitTime a GeneralizedTime, certProfile one UTF8String.
 * Unknown infoTypes are ignored (RFC 9810 §5.1.1).
 */
export function checkGeneralInfo(h: PKIHeader): void {
  for (const gi of h.generalInfo ?? []) {
    if (gi.infoType === oids.id_it_implicitConfirm) {
      // RFC 9810 §5.1.1.1: ImplicitConfirmValue ::= NULL (the decoder gives a NULL ANY as null).
      if (!isNullValue(gi.infoValue)) throw malformed("implicitConfirm (value not NULL)");
    } else if (gi.infoType === oids.id_it_confirmWaitTime) {
      readConfirmWaitTime(gi);
    } else if (gi.infoType === oids.id_it_certProfile) {
      if (!gi.infoValue) throw malformed("certProfile (value missing)");
      readCertProfile(gi.infoValue);
    }
  }
}
