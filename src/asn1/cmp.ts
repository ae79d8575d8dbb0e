// CMP v3 message schemas: RFC 9810 module PKIXCMP-2023 (EXPLICIT TAGS), incl. what RFC 9480 added.
// PKIBody and PKIMessage live here; header and body content types in cmp-header.ts, cmp-content.ts.
// The PKIMessage/PKIBody recursion through `nested` is cut with a raw field: see PKIBody.
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, BitString } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { CertReqMessages } from "./crmf.js";
import { CertificateLists, CMPCertificates, InfoTypeAndValues, PKIHeader } from "./cmp-header.js";
import {
  CAKeyUpdContent,
  CertConfirmContent,
  CertRepMessage,
  ErrorMsgContent,
  KeyRecRepContent,
  POPODecKeyChallContent,
  POPODecKeyRespContent,
  PollRepContent,
  PollReqContent,
  RevAnnContent,
  RevRepContent,
  RevReqContent,
} from "./cmp-content.js";

export * from "./cmp-header.js";
export * from "./cmp-content.js";

/**
 * PKIBody ::= CHOICE (RFC 9810 §5.1.2). `nested` holds the raw DER of its PKIMessages
 * (SEQUENCE OF PKIMessage) because the schema classes cannot refer to themselves.
 */
@AsnType({ type: AsnTypeTypes.Choice })
export class PKIBody {
  @AsnProp({ type: CertReqMessages, context: 0 }) public ir?: CertReqMessages;
  @AsnProp({ type: CertRepMessage, context: 1 }) public ip?: CertRepMessage;
  @AsnProp({ type: CertReqMessages, context: 2 }) public cr?: CertReqMessages;
  @AsnProp({ type: CertRepMessage, context: 3 }) public cp?: CertRepMessage;
  @AsnProp({ type: CertificationRequest, context: 4 }) public p10cr?: CertificationRequest;
  @AsnProp({ type: POPODecKeyChallContent, context: 5 }) public popdecc?: POPODecKeyChallContent;
  @AsnProp({ type: POPODecKeyRespContent, context: 6 }) public popdecr?: POPODecKeyRespContent;
  @AsnProp({ type: CertReqMessages, context: 7 }) public kur?: CertReqMessages;
  @AsnProp({ type: CertRepMessage, context: 8 }) public kup?: CertRepMessage;
  @AsnProp({ type: CertReqMessages, context: 9 }) public krr?: CertReqMessages;
  @AsnProp({ type: KeyRecRepContent, context: 10 }) public krp?: KeyRecRepContent;
  @AsnProp({ type: RevReqContent, context: 11 }) public rr?: RevReqContent;
  @AsnProp({ type: RevRepContent, context: 12 }) public rp?: RevRepContent;
  @AsnProp({ type: CertReqMessages, context: 13 }) public ccr?: CertReqMessages;
  @AsnProp({ type: CertRepMessage, context: 14 }) public ccp?: CertRepMessage;
  @AsnProp({ type: CAKeyUpdContent, context: 15 }) public ckuann?: CAKeyUpdContent;
  @AsnProp({ type: Certificate, context: 16 }) public cann?: Certificate;
  @AsnProp({ type: RevAnnContent, context: 17 }) public rann?: RevAnnContent;
  @AsnProp({ type: CertificateLists, context: 18 }) public crlann?: CertificateLists;
  @AsnProp({ type: AsnPropTypes.Null, context: 19 }) public pkiconf?: null;
  @AsnProp({ type: AsnPropTypes.Any, context: 20 }) public nested?: ArrayBuffer;
  @AsnProp({ type: InfoTypeAndValues, context: 21 }) public genm?: InfoTypeAndValues;
  @AsnProp({ type: InfoTypeAndValues, context: 22 }) public genp?: InfoTypeAndValues;
  @AsnProp({ type: ErrorMsgContent, context: 23 }) public error?: ErrorMsgContent;
  @AsnProp({ type: CertConfirmContent, context: 24 }) public certConf?: CertConfirmContent;
  @AsnProp({ type: PollReqContent, context: 25 }) public pollReq?: PollReqContent;
  @AsnProp({ type: PollRepContent, context: 26 }) public pollRep?: PollRepContent;
  constructor(params: Partial<PKIBody> = {}) {
    Object.assign(this, params);
  }
}

/** The PKIBody choice names in tag order (RFC 9810 §5.1.2). */
export const PKIBodyTypes = [
  "ir",
  "ip",
  "cr",
  "cp",
  "p10cr",
  "popdecc",
  "popdecr",
  "kur",
  "kup",
  "krr",
  "krp",
  "rr",
  "rp",
  "ccr",
  "ccp",
  "ckuann",
  "cann",
  "rann",
  "crlann",
  "pkiconf",
  "nested",
  "genm",
  "genp",
  "error",
  "certConf",
  "pollReq",
  "pollRep",
] as const;
export type PKIBodyType = (typeof PKIBodyTypes)[number];

/** PKIMessage ::= SEQUENCE { header, body, protection [0] OPTIONAL, extraCerts [1] OPTIONAL }. */
export class PKIMessage {
  @AsnProp({ type: PKIHeader }) public header = new PKIHeader();
  @AsnProp({ type: PKIBody }) public body = new PKIBody();
  @AsnProp({ type: BitString, context: 0, optional: true }) public protection?: BitString;
  @AsnProp({ type: CMPCertificates, context: 1, optional: true }) public extraCerts?: CMPCertificates;
  constructor(params: Partial<PKIMessage> = {}) {
    Object.assign(this, params);
  }
}

/** PKIMessage with extraCerts kept as raw DER (the SEQUENCE OF CMPCertificate), for decoders that parse certificates themselves. */
export class PKIMessageRawExtraCerts {
  @AsnProp({ type: PKIHeader }) public header = new PKIHeader();
  @AsnProp({ type: PKIBody }) public body = new PKIBody();
  @AsnProp({ type: BitString, context: 0, optional: true }) public protection?: BitString;
  @AsnProp({ type: AsnPropTypes.Any, context: 1, optional: true }) public extraCerts?: ArrayBuffer;
}

/** PKIMessages ::= SEQUENCE SIZE (1..MAX) OF PKIMessage (the content of `nested`). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: PKIMessage })
export class PKIMessages extends AsnArray<PKIMessage> {
  constructor(items?: PKIMessage[]) {
    super(items);
    Object.setPrototypeOf(this, PKIMessages.prototype);
  }
}

/** ProtectedPart ::= SEQUENCE { header PKIHeader, body PKIBody } (RFC 9810 §5.1.3). */
export class ProtectedPart {
  @AsnProp({ type: PKIHeader }) public header = new PKIHeader();
  @AsnProp({ type: PKIBody }) public body = new PKIBody();
  constructor(params: Partial<ProtectedPart> = {}) {
    Object.assign(this, params);
  }
}
