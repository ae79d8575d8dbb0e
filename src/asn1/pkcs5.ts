// PKCS #5 structures used by CMP MAC protection and CMS password recipients (RFC 8018 §A.2, §A.5).
import { AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";

/** The salt CHOICE of PBKDF2-params: specified OCTET STRING | otherSource AlgorithmIdentifier. */
@AsnType({ type: AsnTypeTypes.Choice })
export class PBKDF2Salt {
  @AsnProp({ type: AsnPropTypes.OctetString }) public specified?: ArrayBuffer;
  @AsnProp({ type: AlgorithmIdentifier }) public otherSource?: AlgorithmIdentifier;
  constructor(params: Partial<PBKDF2Salt> = {}) {
    Object.assign(this, params);
  }
}

/** PBKDF2-params ::= SEQUENCE { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }. */
export class PBKDF2Params {
  @AsnProp({ type: PBKDF2Salt }) public salt = new PBKDF2Salt();
  @AsnProp({ type: AsnPropTypes.Integer }) public iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) public keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) public prf?: AlgorithmIdentifier;
  constructor(params: Partial<PBKDF2Params> = {}) {
    Object.assign(this, params);
  }
}

/** PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme AlgorithmIdentifier }. */
export class PBMAC1Params {
  @AsnProp({ type: AlgorithmIdentifier }) public keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) public messageAuthScheme = new AlgorithmIdentifier();
  constructor(params: Partial<PBMAC1Params> = {}) {
    Object.assign(this, params);
  }
}
