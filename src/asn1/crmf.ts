// CRMF schemas: RFC 4211 as updated by RFC 9045 and RFC 9810 (module PKIXCRMF-2009, IMPLICIT TAGS).
// Tagged CHOICE types (Name, Time, GeneralName, POPOPrivKey, EncryptedKey) are always explicit.
import "./cms-fix.js";
import {
  AsnArray,
  AsnIntegerArrayBufferConverter,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  BitString,
  OctetString,
} from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Extension,
  GeneralName,
  Name,
  SubjectPublicKeyInfo,
  Time,
} from "@peculiar/asn1-x509";
import { EnvelopedData } from "@peculiar/asn1-cms";

/** AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY } (RFC 4211 §6). */
export class AttributeTypeAndValue {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) public type = "";
  @AsnProp({ type: AsnPropTypes.Any }) public value: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<AttributeTypeAndValue> = {}) {
    Object.assign(this, params);
  }
}

/** Controls ::= SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AttributeTypeAndValue })
export class Controls extends AsnArray<AttributeTypeAndValue> {
  constructor(items?: AttributeTypeAndValue[]) {
    super(items);
    Object.setPrototypeOf(this, Controls.prototype);
  }
}

/** OptionalValidity ::= SEQUENCE { notBefore [0] Time OPTIONAL, notAfter [1] Time OPTIONAL }. */
export class OptionalValidity {
  @AsnProp({ type: Time, context: 0, optional: true }) public notBefore?: Time;
  @AsnProp({ type: Time, context: 1, optional: true }) public notAfter?: Time;
  constructor(params: Partial<OptionalValidity> = {}) {
    Object.assign(this, params);
  }
}

/** CertTemplate (RFC 4211 §5); publicKey may carry an empty BIT STRING for central key generation. */
export class CertTemplate {
  @AsnProp({ type: AsnPropTypes.Integer, context: 0, implicit: true, optional: true })
  public version?: number;
  @AsnProp({
    type: AsnPropTypes.Integer,
    context: 1,
    implicit: true,
    optional: true,
    converter: AsnIntegerArrayBufferConverter,
  })
  public serialNumber?: ArrayBuffer;
  @AsnProp({ type: AlgorithmIdentifier, context: 2, implicit: true, optional: true })
  public signingAlg?: AlgorithmIdentifier;
  @AsnProp({ type: Name, context: 3, optional: true }) public issuer?: Name;
  @AsnProp({ type: OptionalValidity, context: 4, implicit: true, optional: true })
  public validity?: OptionalValidity;
  @AsnProp({ type: Name, context: 5, optional: true }) public subject?: Name;
  @AsnProp({ type: SubjectPublicKeyInfo, context: 6, implicit: true, optional: true })
  public publicKey?: SubjectPublicKeyInfo;
  @AsnProp({ type: AsnPropTypes.BitString, context: 7, implicit: true, optional: true })
  public issuerUID?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.BitString, context: 8, implicit: true, optional: true })
  public subjectUID?: ArrayBuffer;
  @AsnProp({ type: Extension, context: 9, implicit: true, repeated: "sequence", optional: true })
  public extensions?: Extension[];
  constructor(params: Partial<CertTemplate> = {}) {
    Object.assign(this, params);
  }
}

/** CertId ::= SEQUENCE { issuer GeneralName, serialNumber INTEGER }. */
export class CertId {
  @AsnProp({ type: GeneralName }) public issuer = new GeneralName();
  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })
  public serialNumber: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<CertId> = {}) {
    Object.assign(this, params);
  }
}

/** CertRequest ::= SEQUENCE { certReqId INTEGER, certTemplate CertTemplate, controls Controls OPTIONAL }. */
export class CertRequest {
  @AsnProp({ type: AsnPropTypes.Integer }) public certReqId = 0;
  @AsnProp({ type: CertTemplate }) public certTemplate = new CertTemplate();
  @AsnProp({ type: AttributeTypeAndValue, repeated: "sequence", optional: true })
  public controls?: AttributeTypeAndValue[];
  constructor(params: Partial<CertRequest> = {}) {
    Object.assign(this, params);
  }
}

/** PKMACValue ::= SEQUENCE { algId AlgorithmIdentifier, value BIT STRING }. */
export class PKMACValue {
  @AsnProp({ type: AlgorithmIdentifier }) public algId = new AlgorithmIdentifier();
  @AsnProp({ type: BitString }) public value = new BitString();
  constructor(params: Partial<PKMACValue> = {}) {
    Object.assign(this, params);
  }
}

/** The authInfo CHOICE of POPOSigningKeyInput: sender [0] GeneralName | publicKeyMAC PKMACValue. */
@AsnType({ type: AsnTypeTypes.Choice })
export class POPOSigningKeyInputAuthInfo {
  @AsnProp({ type: GeneralName, context: 0 }) public sender?: GeneralName;
  @AsnProp({ type: PKMACValue }) public publicKeyMAC?: PKMACValue;
  constructor(params: Partial<POPOSigningKeyInputAuthInfo> = {}) {
    Object.assign(this, params);
  }
}

/** POPOSigningKeyInput ::= SEQUENCE { authInfo CHOICE {...}, publicKey SubjectPublicKeyInfo }. */
export class POPOSigningKeyInput {
  @AsnProp({ type: POPOSigningKeyInputAuthInfo }) public authInfo = new POPOSigningKeyInputAuthInfo();
  @AsnProp({ type: SubjectPublicKeyInfo }) public publicKey = new SubjectPublicKeyInfo();
  constructor(params: Partial<POPOSigningKeyInput> = {}) {
    Object.assign(this, params);
  }
}

/** POPOSigningKey ::= SEQUENCE { poposkInput [0] OPTIONAL, algorithmIdentifier, signature BIT STRING }. */
export class POPOSigningKey {
  @AsnProp({ type: POPOSigningKeyInput, context: 0, implicit: true, optional: true })
  public poposkInput?: POPOSigningKeyInput;
  @AsnProp({ type: AlgorithmIdentifier }) public algorithmIdentifier = new AlgorithmIdentifier();
  @AsnProp({ type: BitString }) public signature = new BitString();
  constructor(params: Partial<POPOSigningKey> = {}) {
    Object.assign(this, params);
  }
}

/** SubsequentMessage ::= INTEGER { encrCert(0), challengeResp(1) }. */
export enum SubsequentMessage {
  encrCert = 0,
  challengeResp = 1,
}

/** POPOPrivKey ::= CHOICE (RFC 4211 §4.2 as updated by RFC 9810 §5.2.8.3 / RFC 9045). */
@AsnType({ type: AsnTypeTypes.Choice })
export class POPOPrivKey {
  /** Deprecated by RFC 9810. */
  @AsnProp({ type: AsnPropTypes.BitString, context: 0, implicit: true }) public thisMessage?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.Integer, context: 1, implicit: true })
  public subsequentMessage?: SubsequentMessage;
  /** Deprecated by RFC 9810. */
  @AsnProp({ type: AsnPropTypes.BitString, context: 2, implicit: true }) public dhMAC?: ArrayBuffer;
  @AsnProp({ type: PKMACValue, context: 3, implicit: true }) public agreeMAC?: PKMACValue;
  @AsnProp({ type: EnvelopedData, context: 4, implicit: true }) public encryptedKey?: EnvelopedData;
  constructor(params: Partial<POPOPrivKey> = {}) {
    Object.assign(this, params);
  }
}

/** ProofOfPossession ::= CHOICE { raVerified [0] NULL, signature [1], keyEncipherment [2], keyAgreement [3] }. */
@AsnType({ type: AsnTypeTypes.Choice })
export class ProofOfPossession {
  @AsnProp({ type: AsnPropTypes.Null, context: 0, implicit: true }) public raVerified?: null;
  @AsnProp({ type: POPOSigningKey, context: 1, implicit: true }) public signature?: POPOSigningKey;
  @AsnProp({ type: POPOPrivKey, context: 2 }) public keyEncipherment?: POPOPrivKey;
  @AsnProp({ type: POPOPrivKey, context: 3 }) public keyAgreement?: POPOPrivKey;
  constructor(params: Partial<ProofOfPossession> = {}) {
    Object.assign(this, params);
  }
}

/** CertReqMsg ::= SEQUENCE { certReq CertRequest, popo ProofOfPossession OPTIONAL, regInfo OPTIONAL }. */
export class CertReqMsg {
  @AsnProp({ type: CertRequest }) public certReq = new CertRequest();
  @AsnProp({ type: ProofOfPossession, optional: true }) public popo?: ProofOfPossession;
  @AsnProp({ type: AttributeTypeAndValue, repeated: "sequence", optional: true })
  public regInfo?: AttributeTypeAndValue[];
  constructor(params: Partial<CertReqMsg> = {}) {
    Object.assign(this, params);
  }
}

/** CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: CertReqMsg })
export class CertReqMessages extends AsnArray<CertReqMsg> {
  constructor(items?: CertReqMsg[]) {
    super(items);
    Object.setPrototypeOf(this, CertReqMessages.prototype);
  }
}

/** EncryptedValue (RFC 4211 §2.1; deprecated by RFC 9810 in favour of EnvelopedData). */
export class EncryptedValue {
  @AsnProp({ type: AlgorithmIdentifier, context: 0, implicit: true, optional: true })
  public intendedAlg?: AlgorithmIdentifier;
  @AsnProp({ type: AlgorithmIdentifier, context: 1, implicit: true, optional: true })
  public symmAlg?: AlgorithmIdentifier;
  @AsnProp({ type: AsnPropTypes.BitString, context: 2, implicit: true, optional: true })
  public encSymmKey?: ArrayBuffer;
  @AsnProp({ type: AlgorithmIdentifier, context: 3, implicit: true, optional: true })
  public keyAlg?: AlgorithmIdentifier;
  @AsnProp({ type: OctetString, context: 4, implicit: true, optional: true }) public valueHint?: OctetString;
  @AsnProp({ type: BitString }) public encValue = new BitString();
  constructor(params: Partial<EncryptedValue> = {}) {
    Object.assign(this, params);
  }
}

/** EncryptedKey ::= CHOICE { encryptedValue EncryptedValue, envelopedData [0] EnvelopedData } (RFC 9810 §5.2.2). */
@AsnType({ type: AsnTypeTypes.Choice })
export class EncryptedKey {
  @AsnProp({ type: EncryptedValue }) public encryptedValue?: EncryptedValue;
  @AsnProp({ type: EnvelopedData, context: 0, implicit: true }) public envelopedData?: EnvelopedData;
  constructor(params: Partial<EncryptedKey> = {}) {
    Object.assign(this, params);
  }
}

/** SinglePubInfo ::= SEQUENCE { pubMethod INTEGER, pubLocation GeneralName OPTIONAL }. */
export class SinglePubInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) public pubMethod = 0;
  @AsnProp({ type: GeneralName, optional: true }) public pubLocation?: GeneralName;
  constructor(params: Partial<SinglePubInfo> = {}) {
    Object.assign(this, params);
  }
}

/** PKIPublicationInfo ::= SEQUENCE { action INTEGER, pubInfos SEQUENCE OF SinglePubInfo OPTIONAL }. */
export class PKIPublicationInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) public action = 0;
  @AsnProp({ type: SinglePubInfo, repeated: "sequence", optional: true }) public pubInfos?: SinglePubInfo[];
  constructor(params: Partial<PKIPublicationInfo> = {}) {
    Object.assign(this, params);
  }
}

/** PKIArchiveOptions ::= CHOICE { encryptedPrivKey [0], keyGenParameters [1], archiveRemGenPrivKey [2] }. */
@AsnType({ type: AsnTypeTypes.Choice })
export class PKIArchiveOptions {
  @AsnProp({ type: EncryptedKey, context: 0 }) public encryptedPrivKey?: EncryptedKey;
  @AsnProp({ type: OctetString, context: 1, implicit: true }) public keyGenParameters?: OctetString;
  @AsnProp({ type: AsnPropTypes.Boolean, context: 2, implicit: true }) public archiveRemGenPrivKey?: boolean;
  constructor(params: Partial<PKIArchiveOptions> = {}) {
    Object.assign(this, params);
  }
}
