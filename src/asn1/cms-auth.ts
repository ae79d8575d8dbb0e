// Schemas of CMS AuthEnvelopedData (RFC 5083 §2.1) and the AES-GCM parameters (RFC 5084 §3.2),
// which @peculiar/asn1-cms does not define.
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema";
import { Attribute, EncryptedContentInfo, OriginatorInfo, RecipientInfos } from "@peculiar/asn1-cms";

/** id-ct-authEnvelopedData (RFC 5083 §1.1). */
export const id_ct_authEnvelopedData = "1.2.840.113549.1.9.16.1.23";
/** id-aes128-GCM, id-aes192-GCM, id-aes256-GCM (RFC 5084 §3.2). */
export const id_aes128_GCM = "2.16.840.1.101.3.4.1.6";
export const id_aes192_GCM = "2.16.840.1.101.3.4.1.26";
export const id_aes256_GCM = "2.16.840.1.101.3.4.1.46";

/** AuthAttributes / UnauthAttributes ::= SET SIZE (1..MAX) OF Attribute. */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
export class AuthAttributes extends AsnArray<Attribute> {
  constructor(items?: Attribute[]) {
    super(items);
    Object.setPrototypeOf(this, AuthAttributes.prototype);
  }
}

/** GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen AES-GCM-ICVlen DEFAULT 12 }. */
export class GCMParameters {
  @AsnProp({ type: OctetString }) public aesNonce = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer, defaultValue: 12 }) public aesICVlen = 12;
  constructor(params: Partial<GCMParameters> = {}) {
    Object.assign(this, params);
  }
}

/**
 * AuthEnvelopedData ::= SEQUENCE { version CMSVersion, originatorInfo [0] IMPLICIT OPTIONAL,
 * recipientInfos, authEncryptedContentInfo, authAttrs [1] IMPLICIT OPTIONAL, mac OCTET STRING,
 * unauthAttrs [2] IMPLICIT OPTIONAL }.
 */
export class AuthEnvelopedData {
  @AsnProp({ type: AsnPropTypes.Integer }) public version = 0;
  @AsnProp({ type: OriginatorInfo, context: 0, implicit: true, optional: true })
  public originatorInfo?: OriginatorInfo;
  @AsnProp({ type: RecipientInfos }) public recipientInfos = new RecipientInfos();
  @AsnProp({ type: EncryptedContentInfo }) public authEncryptedContentInfo = new EncryptedContentInfo();
  @AsnProp({ type: AuthAttributes, context: 1, implicit: true, optional: true })
  public authAttrs?: AuthAttributes;
  @AsnProp({ type: OctetString }) public mac = new OctetString();
  @AsnProp({ type: AuthAttributes, context: 2, implicit: true, optional: true })
  public unauthAttrs?: AuthAttributes;
  constructor(params: Partial<AuthEnvelopedData> = {}) {
    Object.assign(this, params);
  }
}
