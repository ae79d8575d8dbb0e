// PKCS#10 (RFC 2986): the self-signature of a certification request, checked over the bytes received.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { importPublicKeySpki, verify, type PublicKey } from "../crypto/index.js";
import { firstChild } from "./der.js";

/** The request's public key; throws when it cannot be read. */
export function csrPublicKey(csr: CertificationRequest): PublicKey {
  return importPublicKeySpki(
    new Uint8Array(AsnSerializer.serialize(csr.certificationRequestInfo.subjectPKInfo)),
  );
}

/**
 * Whether the signature of the CSR in `der` verifies with its own public key (RFC 2986 §4.2), over the
 * certificationRequestInfo exactly as received; false when the key or the signature cannot be used.
 */
export function verifyCsr(der: Uint8Array, csr = AsnParser.parse(der, CertificationRequest)): boolean {
  try {
    return verify(csr.signatureAlgorithm, csrPublicKey(csr), firstChild(der), new Uint8Array(csr.signature));
  } catch {
    return false;
  }
}
