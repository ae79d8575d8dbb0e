// CMS structures @peculiar/asn1-cms does not carry: KEMRecipientInfo and its KDF input (RFC 9629),
// ECC-CMS-SharedInfo (RFC 5753 §7.2), RSAES-OAEP-params (RFC 4055 §4.1).
import { AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { RecipientIdentifier } from "@peculiar/asn1-cms";

export const id_ori_kem = "1.2.840.113549.1.9.16.13.3";
export const id_RSAES_OAEP = "1.2.840.113549.1.1.7";
export const id_mgf1 = "1.2.840.113549.1.1.8";
export const id_alg_PWRI_KEK = "1.2.840.113549.1.9.16.3.9";
export const dhSinglePass_stdDH_sha256kdf_scheme = "1.3.132.1.11.1";
export const id_aes128_wrap = "2.16.840.1.101.3.4.1.5";
export const id_aes192_wrap = "2.16.840.1.101.3.4.1.25";
export const id_aes256_wrap = "2.16.840.1.101.3.4.1.45";
export const id_aes128_CBC = "2.16.840.1.101.3.4.1.2";
export const id_aes256_CBC = "2.16.840.1.101.3.4.1.42";

/** KEMRecipientInfo (RFC 9629 §3), carried in OtherRecipientInfo with oriType id-ori-kem. */
export class KEMRecipientInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) public version = 0;
  @AsnProp({ type: RecipientIdentifier }) public rid = new RecipientIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) public kem = new AlgorithmIdentifier();
  @AsnProp({ type: OctetString }) public kemct = new OctetString();
  @AsnProp({ type: AlgorithmIdentifier }) public kdf = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.Integer }) public kekLength = 0;
  @AsnProp({ type: OctetString, context: 0, optional: true }) public ukm?: OctetString;
  @AsnProp({ type: AlgorithmIdentifier }) public wrap = new AlgorithmIdentifier();
  @AsnProp({ type: OctetString }) public encryptedKey = new OctetString();
  constructor(params: Partial<KEMRecipientInfo> = {}) {
    Object.assign(this, params);
  }
}

/** CMSORIforKEMOtherInfo (RFC 9629 §5): the KDF `info` input. */
export class CMSORIforKEMOtherInfo {
  @AsnProp({ type: AlgorithmIdentifier }) public wrap = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.Integer }) public kekLength = 0;
  @AsnProp({ type: OctetString, context: 0, optional: true }) public ukm?: OctetString;
  constructor(params: Partial<CMSORIforKEMOtherInfo> = {}) {
    Object.assign(this, params);
  }
}

/** ECC-CMS-SharedInfo (RFC 5753 §7.2): the X9.63 KDF SharedInfo of KeyAgreeRecipientInfo. */
export class EccCmsSharedInfo {
  @AsnProp({ type: AlgorithmIdentifier }) public keyInfo = new AlgorithmIdentifier();
  @AsnProp({ type: OctetString, context: 0, optional: true }) public entityUInfo?: OctetString;
  @AsnProp({ type: OctetString, context: 2 }) public suppPubInfo = new OctetString();
  constructor(params: Partial<EccCmsSharedInfo> = {}) {
    Object.assign(this, params);
  }
}

/** RSAES-OAEP-params (RFC 4055 §4.1); defaults SHA-1 / MGF1-SHA-1 / empty label when absent. */
export class RsaesOaepParams {
  @AsnProp({ type: AlgorithmIdentifier, context: 0, optional: true }) public hashFunc?: AlgorithmIdentifier;
  @AsnProp({ type: AlgorithmIdentifier, context: 1, optional: true })
  public maskGenFunc?: AlgorithmIdentifier;
  @AsnProp({ type: AlgorithmIdentifier, context: 2, optional: true })
  public pSourceFunc?: AlgorithmIdentifier;
  constructor(params: Partial<RsaesOaepParams> = {}) {
    Object.assign(this, params);
  }
}
