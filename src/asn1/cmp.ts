// CMP v3 message schemas: RFC 9810 module PKIXCMP-2023 (EXPLICIT TAGS), incl. what RFC 9480 added.
// The PKIMessage/PKIBody recursion through `nested` is cut with a raw field: see NestedMessageContent.
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, BitString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  CertificateList,
  Extension,
  GeneralName,
} from "@peculiar/asn1-x509";
import { EnvelopedData } from "@peculiar/asn1-cms";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { CertId, CertReqMessages, CertTemplate, EncryptedKey, PKIPublicationInfo } from "./crmf.js";

/** PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Utf8String })
export class PKIFreeText extends AsnArray<string> {
  constructor(items?: string[]) {
    super(items);
    Object.setPrototypeOf(this, PKIFreeText.prototype);
  }
}

/** SEQUENCE SIZE (1..MAX) OF CMPCertificate (CMPCertificate is a CHOICE of only Certificate). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: Certificate })
export class CMPCertificates extends AsnArray<Certificate> {
  constructor(items?: Certificate[]) {
    super(items);
    Object.setPrototypeOf(this, CMPCertificates.prototype);
  }
}

/** SEQUENCE SIZE (1..MAX) OF CertificateList. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: CertificateList })
export class CertificateLists extends AsnArray<CertificateList> {
  constructor(items?: CertificateList[]) {
    super(items);
    Object.setPrototypeOf(this, CertificateLists.prototype);
  }
}

/** InfoTypeAndValue ::= SEQUENCE { infoType OBJECT IDENTIFIER, infoValue ANY OPTIONAL }. */
export class InfoTypeAndValue {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) public infoType = "";
  @AsnProp({ type: AsnPropTypes.Any, optional: true }) public infoValue?: ArrayBuffer;
  constructor(params: Partial<InfoTypeAndValue> = {}) {
    Object.assign(this, params);
  }
}

/** SEQUENCE OF InfoTypeAndValue: generalInfo, GenMsgContent, GenRepContent. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: InfoTypeAndValue })
export class InfoTypeAndValues extends AsnArray<InfoTypeAndValue> {
  constructor(items?: InfoTypeAndValue[]) {
    super(items);
    Object.setPrototypeOf(this, InfoTypeAndValues.prototype);
  }
}

/** PKIHeader (RFC 9810 §5.1.1). */
export class PKIHeader {
  @AsnProp({ type: AsnPropTypes.Integer }) public pvno = 2;
  @AsnProp({ type: GeneralName }) public sender = new GeneralName();
  @AsnProp({ type: GeneralName }) public recipient = new GeneralName();
  @AsnProp({ type: AsnPropTypes.GeneralizedTime, context: 0, optional: true }) public messageTime?: Date;
  @AsnProp({ type: AlgorithmIdentifier, context: 1, optional: true })
  public protectionAlg?: AlgorithmIdentifier;
  @AsnProp({ type: AsnPropTypes.OctetString, context: 2, optional: true }) public senderKID?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.OctetString, context: 3, optional: true }) public recipKID?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.OctetString, context: 4, optional: true }) public transactionID?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.OctetString, context: 5, optional: true }) public senderNonce?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.OctetString, context: 6, optional: true }) public recipNonce?: ArrayBuffer;
  @AsnProp({ type: PKIFreeText, context: 7, optional: true }) public freeText?: PKIFreeText;
  @AsnProp({ type: InfoTypeAndValues, context: 8, optional: true }) public generalInfo?: InfoTypeAndValues;
  constructor(params: Partial<PKIHeader> = {}) {
    Object.assign(this, params);
  }
}

/** PKIStatus values (RFC 9810 §5.2.3). */
export enum PKIStatus {
  accepted = 0,
  grantedWithMods = 1,
  rejection = 2,
  waiting = 3,
  revocationWarning = 4,
  revocationNotification = 5,
  keyUpdateWarning = 6,
}

/** PKIStatusInfo ::= SEQUENCE { status, statusString PKIFreeText OPTIONAL, failInfo PKIFailureInfo OPTIONAL }. */
export class PKIStatusInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) public status: number = PKIStatus.accepted;
  @AsnProp({ type: PKIFreeText, optional: true }) public statusString?: PKIFreeText;
  @AsnProp({ type: BitString, optional: true }) public failInfo?: BitString;
  constructor(params: Partial<PKIStatusInfo> = {}) {
    Object.assign(this, params);
  }
}

/** SEQUENCE OF PKIStatusInfo (RevRepContent.status). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: PKIStatusInfo })
export class PKIStatusInfos extends AsnArray<PKIStatusInfo> {
  constructor(items?: PKIStatusInfo[]) {
    super(items);
    Object.setPrototypeOf(this, PKIStatusInfos.prototype);
  }
}

/** CertOrEncCert ::= CHOICE { certificate [0] CMPCertificate, encryptedCert [1] EncryptedKey }. */
@AsnType({ type: AsnTypeTypes.Choice })
export class CertOrEncCert {
  @AsnProp({ type: Certificate, context: 0 }) public certificate?: Certificate;
  @AsnProp({ type: EncryptedKey, context: 1 }) public encryptedCert?: EncryptedKey;
  constructor(params: Partial<CertOrEncCert> = {}) {
    Object.assign(this, params);
  }
}

/** CertifiedKeyPair ::= SEQUENCE { certOrEncCert, privateKey [0] EncryptedKey OPTIONAL, publicationInfo [1] OPTIONAL }. */
export class CertifiedKeyPair {
  @AsnProp({ type: CertOrEncCert }) public certOrEncCert = new CertOrEncCert();
  @AsnProp({ type: EncryptedKey, context: 0, optional: true }) public privateKey?: EncryptedKey;
  @AsnProp({ type: PKIPublicationInfo, context: 1, optional: true })
  public publicationInfo?: PKIPublicationInfo;
  constructor(params: Partial<CertifiedKeyPair> = {}) {
    Object.assign(this, params);
  }
}

/** CertResponse ::= SEQUENCE { certReqId, status, certifiedKeyPair OPTIONAL, rspInfo OCTET STRING OPTIONAL }. */
export class CertResponse {
  @AsnProp({ type: AsnPropTypes.Integer }) public certReqId = 0;
  @AsnProp({ type: PKIStatusInfo }) public status = new PKIStatusInfo();
  @AsnProp({ type: CertifiedKeyPair, optional: true }) public certifiedKeyPair?: CertifiedKeyPair;
  @AsnProp({ type: AsnPropTypes.OctetString, optional: true }) public rspInfo?: ArrayBuffer;
  constructor(params: Partial<CertResponse> = {}) {
    Object.assign(this, params);
  }
}

/** CertRepMessage ::= SEQUENCE { caPubs [1] SEQUENCE OF CMPCertificate OPTIONAL, response SEQUENCE OF CertResponse }. */
export class CertRepMessage {
  @AsnProp({ type: CMPCertificates, context: 1, optional: true }) public caPubs?: CMPCertificates;
  @AsnProp({ type: CertResponse, repeated: "sequence" }) public response: CertResponse[] = [];
  constructor(params: Partial<CertRepMessage> = {}) {
    Object.assign(this, params);
  }
}

/** Challenge (RFC 9810 §5.2.8.3.2); encryptedRand is the v3 form. */
export class Challenge {
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) public owf?: AlgorithmIdentifier;
  @AsnProp({ type: AsnPropTypes.OctetString }) public witness: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.OctetString }) public challenge: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: EnvelopedData, context: 0, optional: true }) public encryptedRand?: EnvelopedData;
  constructor(params: Partial<Challenge> = {}) {
    Object.assign(this, params);
  }
}

/** POPODecKeyChallContent ::= SEQUENCE OF Challenge. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: Challenge })
export class POPODecKeyChallContent extends AsnArray<Challenge> {
  constructor(items?: Challenge[]) {
    super(items);
    Object.setPrototypeOf(this, POPODecKeyChallContent.prototype);
  }
}

/** POPODecKeyRespContent ::= SEQUENCE OF INTEGER. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Integer })
export class POPODecKeyRespContent extends AsnArray<number> {
  constructor(items?: number[]) {
    super(items);
    Object.setPrototypeOf(this, POPODecKeyRespContent.prototype);
  }
}

/** KeyRecRepContent (RFC 9810 §5.3.8). */
export class KeyRecRepContent {
  @AsnProp({ type: PKIStatusInfo }) public status = new PKIStatusInfo();
  @AsnProp({ type: Certificate, context: 0, optional: true }) public newSigCert?: Certificate;
  @AsnProp({ type: CMPCertificates, context: 1, optional: true }) public caCerts?: CMPCertificates;
  @AsnProp({ type: CertifiedKeyPair, context: 2, repeated: "sequence", optional: true })
  public keyPairHist?: CertifiedKeyPair[];
  constructor(params: Partial<KeyRecRepContent> = {}) {
    Object.assign(this, params);
  }
}

/** RevDetails ::= SEQUENCE { certDetails CertTemplate, crlEntryDetails Extensions OPTIONAL }. */
export class RevDetails {
  @AsnProp({ type: CertTemplate }) public certDetails = new CertTemplate();
  @AsnProp({ type: Extension, repeated: "sequence", optional: true }) public crlEntryDetails?: Extension[];
  constructor(params: Partial<RevDetails> = {}) {
    Object.assign(this, params);
  }
}

/** RevReqContent ::= SEQUENCE OF RevDetails. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: RevDetails })
export class RevReqContent extends AsnArray<RevDetails> {
  constructor(items?: RevDetails[]) {
    super(items);
    Object.setPrototypeOf(this, RevReqContent.prototype);
  }
}

/** SEQUENCE OF CertId (RevRepContent.revCerts). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: CertId })
export class CertIds extends AsnArray<CertId> {
  constructor(items?: CertId[]) {
    super(items);
    Object.setPrototypeOf(this, CertIds.prototype);
  }
}

/** RevRepContent ::= SEQUENCE { status, revCerts [0] OPTIONAL, crls [1] OPTIONAL }. */
export class RevRepContent {
  @AsnProp({ type: PKIStatusInfos }) public status = new PKIStatusInfos();
  @AsnProp({ type: CertIds, context: 0, optional: true }) public revCerts?: CertIds;
  @AsnProp({ type: CertificateLists, context: 1, optional: true }) public crls?: CertificateLists;
  constructor(params: Partial<RevRepContent> = {}) {
    Object.assign(this, params);
  }
}

/** CAKeyUpdAnnContent (deprecated v2 form of ckuann). */
export class CAKeyUpdAnnContent {
  @AsnProp({ type: Certificate }) public oldWithNew = new Certificate();
  @AsnProp({ type: Certificate }) public newWithOld = new Certificate();
  @AsnProp({ type: Certificate }) public newWithNew = new Certificate();
  constructor(params: Partial<CAKeyUpdAnnContent> = {}) {
    Object.assign(this, params);
  }
}

/** RootCaKeyUpdateContent (RFC 9810 §5.3.13, RFC 9480 §2.14). */
export class RootCaKeyUpdateContent {
  @AsnProp({ type: Certificate }) public newWithNew = new Certificate();
  @AsnProp({ type: Certificate, context: 0, optional: true }) public newWithOld?: Certificate;
  @AsnProp({ type: Certificate, context: 1, optional: true }) public oldWithNew?: Certificate;
  constructor(params: Partial<RootCaKeyUpdateContent> = {}) {
    Object.assign(this, params);
  }
}

/** CAKeyUpdContent ::= CHOICE { cAKeyUpdAnnV2 CAKeyUpdAnnContent, cAKeyUpdAnnV3 [0] RootCaKeyUpdateContent }. */
@AsnType({ type: AsnTypeTypes.Choice })
export class CAKeyUpdContent {
  @AsnProp({ type: RootCaKeyUpdateContent, context: 0 }) public cAKeyUpdAnnV3?: RootCaKeyUpdateContent;
  @AsnProp({ type: CAKeyUpdAnnContent }) public cAKeyUpdAnnV2?: CAKeyUpdAnnContent;
  constructor(params: Partial<CAKeyUpdContent> = {}) {
    Object.assign(this, params);
  }
}

/** RevAnnContent (RFC 9810 §5.3.15). */
export class RevAnnContent {
  @AsnProp({ type: AsnPropTypes.Integer }) public status = 0;
  @AsnProp({ type: CertId }) public certId = new CertId();
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public willBeRevokedAt = new Date(0);
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public badSinceDate = new Date(0);
  @AsnProp({ type: Extension, repeated: "sequence", optional: true }) public crlDetails?: Extension[];
  constructor(params: Partial<RevAnnContent> = {}) {
    Object.assign(this, params);
  }
}

/** CertStatus ::= SEQUENCE { certHash, certReqId, statusInfo OPTIONAL, hashAlg [0] OPTIONAL } (RFC 9810 §5.3.18). */
export class CertStatus {
  @AsnProp({ type: AsnPropTypes.OctetString }) public certHash: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Integer }) public certReqId = 0;
  @AsnProp({ type: PKIStatusInfo, optional: true }) public statusInfo?: PKIStatusInfo;
  @AsnProp({ type: AlgorithmIdentifier, context: 0, optional: true }) public hashAlg?: AlgorithmIdentifier;
  constructor(params: Partial<CertStatus> = {}) {
    Object.assign(this, params);
  }
}

/** CertConfirmContent ::= SEQUENCE OF CertStatus. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: CertStatus })
export class CertConfirmContent extends AsnArray<CertStatus> {
  constructor(items?: CertStatus[]) {
    super(items);
    Object.setPrototypeOf(this, CertConfirmContent.prototype);
  }
}

/** ErrorMsgContent ::= SEQUENCE { pKIStatusInfo, errorCode INTEGER OPTIONAL, errorDetails PKIFreeText OPTIONAL }. */
export class ErrorMsgContent {
  @AsnProp({ type: PKIStatusInfo }) public pKIStatusInfo = new PKIStatusInfo();
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) public errorCode?: number;
  @AsnProp({ type: PKIFreeText, optional: true }) public errorDetails?: PKIFreeText;
  constructor(params: Partial<ErrorMsgContent> = {}) {
    Object.assign(this, params);
  }
}

/** One PollReqContent entry: SEQUENCE { certReqId INTEGER }. */
export class PollReqEntry {
  @AsnProp({ type: AsnPropTypes.Integer }) public certReqId = 0;
  constructor(params: Partial<PollReqEntry> = {}) {
    Object.assign(this, params);
  }
}

/** PollReqContent ::= SEQUENCE OF SEQUENCE { certReqId }. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: PollReqEntry })
export class PollReqContent extends AsnArray<PollReqEntry> {
  constructor(items?: PollReqEntry[]) {
    super(items);
    Object.setPrototypeOf(this, PollReqContent.prototype);
  }
}

/** One PollRepContent entry: SEQUENCE { certReqId, checkAfter (seconds), reason PKIFreeText OPTIONAL }. */
export class PollRepEntry {
  @AsnProp({ type: AsnPropTypes.Integer }) public certReqId = 0;
  @AsnProp({ type: AsnPropTypes.Integer }) public checkAfter = 0;
  @AsnProp({ type: PKIFreeText, optional: true }) public reason?: PKIFreeText;
  constructor(params: Partial<PollRepEntry> = {}) {
    Object.assign(this, params);
  }
}

/** PollRepContent ::= SEQUENCE OF SEQUENCE { certReqId, checkAfter, reason }. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: PollRepEntry })
export class PollRepContent extends AsnArray<PollRepEntry> {
  constructor(items?: PollRepEntry[]) {
    super(items);
    Object.setPrototypeOf(this, PollRepContent.prototype);
  }
}

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
