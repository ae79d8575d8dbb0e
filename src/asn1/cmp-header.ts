// CMP v3 header schemas (RFC 9810 §5.1.1, §5.2.3): PKIHeader and the types it and PKIStatusInfo use
// (PKIFreeText, InfoTypeAndValue, certificate and CRL sequences). EXPLICIT TAGS as in PKIXCMP-2023.
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, BitString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, CertificateList, GeneralName } from "@peculiar/asn1-x509";

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
