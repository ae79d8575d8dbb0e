// certHash for certConf (RFC 9810 §5.3.18): the hash named by hashAlg, else the one the certificate's
// signature algorithm implies; algorithms without a hash (ML-DSA, SLH-DSA) need hashAlg and pvno 3.
import { AlgorithmIdentifier, type Certificate } from "@peculiar/asn1-x509";
import { certConfHashAlgorithm, digest, UnsupportedAlgorithmError } from "../crypto/index.js";
import { id_sha256 } from "../asn1/oids.js";
import { CmpError } from "./errors.js";

export interface CertHashChoice {
  /** The hash algorithm used. */
  alg: AlgorithmIdentifier;
  /** True when the receiver cannot infer it and CertStatus.hashAlg must carry it. */
  explicit: boolean;
}

export function certHashAlgorithm(cert: Certificate): CertHashChoice {
  const implied = certConfHashAlgorithm(cert.signatureAlgorithm);
  return implied
    ? { alg: implied, explicit: false }
    : { alg: new AlgorithmIdentifier({ algorithm: id_sha256 }), explicit: true };
}

export function computeCertHash(certDer: Uint8Array, alg: AlgorithmIdentifier): Uint8Array {
  try {
    return digest(alg, certDer);
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError)
      throw new CmpError("badAlg", `unsupported certConf hashAlg ${e.oid}`);
    throw e;
  }
}
