// InfoTypeAndValue payloads used by RFC 9483 (RFC 9810 §5.3.19, RFC 9480 §2), MAC parameter
// structures (PBMParameter, DHBMParameter, KemBMParameter) and the KEM structures of RFC 9810 §5.1.3.4.
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, DistributionPointName, GeneralName, Time } from "@peculiar/asn1-x509";
import { AttributeTypeAndValue, CertTemplate } from "./crmf.js";
import { PKIFreeText } from "./cmp.js";

/** CertReqTemplateContent ::= SEQUENCE { certTemplate CertTemplate, keySpec Controls OPTIONAL } (RFC 9810 §5.3.19.16). */
export class CertReqTemplateContent {
  @AsnProp({ type: CertTemplate }) public certTemplate = new CertTemplate();
  @AsnProp({ type: AttributeTypeAndValue, repeated: "sequence", optional: true })
  public keySpec?: AttributeTypeAndValue[];
  constructor(params: Partial<CertReqTemplateContent> = {}) {
    Object.assign(this, params);
  }
}

/** GeneralNames as used inside CRLSource.issuer. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: GeneralName })
export class GeneralNameList extends AsnArray<GeneralName> {
  constructor(items?: GeneralName[]) {
    super(items);
    Object.setPrototypeOf(this, GeneralNameList.prototype);
  }
}

/** CRLSource ::= CHOICE { dpn [0] DistributionPointName, issuer [1] GeneralNames } (RFC 9810 §5.3.19.19). */
@AsnType({ type: AsnTypeTypes.Choice })
export class CRLSource {
  @AsnProp({ type: DistributionPointName, context: 0 }) public dpn?: DistributionPointName;
  @AsnProp({ type: GeneralNameList, context: 1 }) public issuer?: GeneralNameList;
  constructor(params: Partial<CRLSource> = {}) {
    Object.assign(this, params);
  }
}

/** CRLStatus ::= SEQUENCE { source CRLSource, thisUpdate Time OPTIONAL }. */
export class CRLStatus {
  @AsnProp({ type: CRLSource }) public source = new CRLSource();
  @AsnProp({ type: Time, optional: true }) public thisUpdate?: Time;
  constructor(params: Partial<CRLStatus> = {}) {
    Object.assign(this, params);
  }
}

/** CRLStatusListValue ::= SEQUENCE SIZE (1..MAX) OF CRLStatus. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: CRLStatus })
export class CRLStatusListValue extends AsnArray<CRLStatus> {
  constructor(items?: CRLStatus[]) {
    super(items);
    Object.setPrototypeOf(this, CRLStatusListValue.prototype);
  }
}

/** CertProfileValue ::= SEQUENCE SIZE (1..MAX) OF UTF8String (RFC 9810 §5.3.19.17 / RFC 9483 §4.1). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Utf8String })
export class CertProfileValue extends AsnArray<string> {
  constructor(items?: string[]) {
    super(items);
    Object.setPrototypeOf(this, CertProfileValue.prototype);
  }
}

/** SEQUENCE OF OBJECT IDENTIFIER (unsupportedOIDs). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.ObjectIdentifier })
export class ObjectIdentifiers extends AsnArray<string> {
  constructor(items?: string[]) {
    super(items);
    Object.setPrototypeOf(this, ObjectIdentifiers.prototype);
  }
}

/** SEQUENCE OF AlgorithmIdentifier (signKeyPairTypes, encKeyPairTypes). */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AlgorithmIdentifier })
export class AlgorithmIdentifiers extends AsnArray<AlgorithmIdentifier> {
  constructor(items?: AlgorithmIdentifier[]) {
    super(items);
    Object.setPrototypeOf(this, AlgorithmIdentifiers.prototype);
  }
}

/** ConfirmWaitTimeValue ::= GeneralizedTime. Single-value wrappers let the schema parser read bare values. */
@AsnType({ type: AsnTypeTypes.Choice })
export class GeneralizedTimeValue {
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public value?: Date;
  constructor(value?: Date) {
    this.value = value;
  }
}

/** A bare INTEGER value (id-regCtrl-rsaKeyLen, RFC 9483 §4.3.3). */
@AsnType({ type: AsnTypeTypes.Choice })
export class IntegerValue {
  @AsnProp({ type: AsnPropTypes.Integer }) public value?: number;
  constructor(value?: number) {
    this.value = value;
  }
}

/** A bare UTF8String value (regToken, authenticator). */
@AsnType({ type: AsnTypeTypes.Choice })
export class UTF8StringValue {
  @AsnProp({ type: AsnPropTypes.Utf8String }) public value?: string;
  constructor(value?: string) {
    this.value = value;
  }
}

/** A bare OBJECT IDENTIFIER value (CMS contentType attribute). */
@AsnType({ type: AsnTypeTypes.Choice })
export class ObjectIdentifierValue {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) public value = "";
  constructor(value = "") {
    this.value = value;
  }
}

/** A bare OCTET STRING value. */
@AsnType({ type: AsnTypeTypes.Choice })
export class OctetStringValue {
  @AsnProp({ type: AsnPropTypes.OctetString }) public value?: ArrayBuffer;
  constructor(value?: ArrayBuffer) {
    this.value = value;
  }
}

/** PBMParameter ::= SEQUENCE { salt, owf, iterationCount, mac } (RFC 9810 §5.1.3.1). */
export class PBMParameter {
  @AsnProp({ type: AsnPropTypes.OctetString }) public salt: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AlgorithmIdentifier }) public owf = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.Integer }) public iterationCount = 0;
  @AsnProp({ type: AlgorithmIdentifier }) public mac = new AlgorithmIdentifier();
  constructor(params: Partial<PBMParameter> = {}) {
    Object.assign(this, params);
  }
}

/** DHBMParameter ::= SEQUENCE { owf, mac } (RFC 9810 §5.1.3.2). */
export class DHBMParameter {
  @AsnProp({ type: AlgorithmIdentifier }) public owf = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) public mac = new AlgorithmIdentifier();
  constructor(params: Partial<DHBMParameter> = {}) {
    Object.assign(this, params);
  }
}

/** KemBMParameter ::= SEQUENCE { kdf, kemContext [0] OCTET STRING OPTIONAL, len INTEGER, mac } (RFC 9810 §5.1.3.4). */
export class KemBMParameter {
  @AsnProp({ type: AlgorithmIdentifier }) public kdf = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.OctetString, context: 0, optional: true }) public kemContext?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.Integer }) public len = 0;
  @AsnProp({ type: AlgorithmIdentifier }) public mac = new AlgorithmIdentifier();
  constructor(params: Partial<KemBMParameter> = {}) {
    Object.assign(this, params);
  }
}

/** KemCiphertextInfo ::= SEQUENCE { kem AlgorithmIdentifier, ct OCTET STRING } (RFC 9810 §5.1.3.4). */
export class KemCiphertextInfo {
  @AsnProp({ type: AlgorithmIdentifier }) public kem = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.OctetString }) public ct: ArrayBuffer = new ArrayBuffer(0);
  constructor(params: Partial<KemCiphertextInfo> = {}) {
    Object.assign(this, params);
  }
}

/** KemOtherInfo ::= SEQUENCE { staticString PKIFreeText, transactionID OCTET STRING, kemContext [0] OPTIONAL } (RFC 9810 §5.1.3.4). */
export class KemOtherInfo {
  @AsnProp({ type: PKIFreeText }) public staticString = new PKIFreeText(["CMP-KEM"]);
  @AsnProp({ type: AsnPropTypes.OctetString }) public transactionID: ArrayBuffer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.OctetString, context: 0, optional: true }) public kemContext?: ArrayBuffer;
  constructor(params: Partial<KemOtherInfo> = {}) {
    Object.assign(this, params);
  }
}
