// CMP v3 body content schemas (RFC 9810 §5.2, §5.3): certificate responses, POP challenges, key
// recovery, revocation, CA key update, announcements, confirmation, error and polling contents.
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, Extension } from "@peculiar/asn1-x509";
import { EnvelopedData } from "@peculiar/asn1-cms";
import { CertId, CertTemplate, EncryptedKey, PKIPublicationInfo } from "./crmf.js";
import {
  CertificateLists,
  CMPCertificates,
  PKIFreeText,
  PKIStatusInfo,
  PKIStatusInfos,
} from "./cmp-header.js";

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
