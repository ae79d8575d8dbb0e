// KEM-based message protection (RFC 9810 §5.1.3.4): the party without the KEM private key
// encapsulates to the KEM certificate and sends KemCiphertextInfo; both derive
// ssk = KDF(ss, len, DER(KemOtherInfo)) and protect the rest of the transaction with MAC(ssk, ProtectedPart).
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { PKIFreeText } from "../asn1/cmp.js";
import { KemBMParameter, KemOtherInfo } from "../asn1/itav.js";
import { id_alg_hkdf_with_sha256, id_hmacWithSHA256, id_KemBasedMac } from "../asn1/oids.js";
import {
  computeMac,
  hkdf,
  hkdfHash,
  timingSafeEqualBytes,
  UnsupportedAlgorithmError,
} from "../crypto/index.js";
import { CmpError } from "./errors.js";
import type { DecodedMessage } from "./message.js";
import { protectionKind } from "./protection-kind.js";

const SSK_LENGTH = 32;

/** protectionAlg for KEM-based MAC: HKDF-SHA256 to a 32-byte ssk, HMAC-SHA256. */
export function kemBasedMacAlgorithm(): AlgorithmIdentifier {
  const p = new KemBMParameter({
    kdf: new AlgorithmIdentifier({ algorithm: id_alg_hkdf_with_sha256 }),
    len: SSK_LENGTH,
    mac: new AlgorithmIdentifier({ algorithm: id_hmacWithSHA256, parameters: new Uint8Array([5, 0]).buffer }),
  });
  return new AlgorithmIdentifier({ algorithm: id_KemBasedMac, parameters: AsnSerializer.serialize(p) });
}

function params(alg: AlgorithmIdentifier): KemBMParameter {
  if (alg.algorithm !== id_KemBasedMac || !alg.parameters) {
    throw new CmpError("wrongIntegrity", "expected KEM-based MAC protection");
  }
  try {
    return AsnParser.parse(alg.parameters, KemBMParameter);
  } catch {
    throw new CmpError("badAlg", "KemBMParameter is malformed");
  }
}

/** ssk = KDF(ss, len, DER(KemOtherInfo { "CMP-KEM", transactionID, kemContext })). */
export function deriveSsk(ss: Uint8Array, transactionID: Uint8Array, alg: AlgorithmIdentifier): Uint8Array {
  const p = params(alg);
  if (p.len < 16 || p.len > 64) throw new CmpError("badAlg", `KemBMParameter len ${p.len} is not acceptable`);
  const info = new KemOtherInfo({
    staticString: new PKIFreeText(["CMP-KEM"]),
    transactionID: transactionID.slice().buffer,
    kemContext: p.kemContext,
  });
  try {
    return hkdf(hkdfHash(p.kdf), ss, new Uint8Array(0), new Uint8Array(AsnSerializer.serialize(info)), p.len);
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError)
      throw new CmpError("badAlg", `unsupported KDF ${e.oid} for KEM-based MAC`);
    throw e;
  }
}

export function kemMac(alg: AlgorithmIdentifier, ssk: Uint8Array, protectedPart: Uint8Array): Uint8Array {
  try {
    return computeMac(params(alg).mac, ssk, protectedPart);
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError)
      throw new CmpError("badAlg", `unsupported MAC ${e.oid} for KEM-based MAC`);
    throw e;
  }
}

/** Verifies KEM-based MAC protection with the shared secret of this transaction. */
export function verifyKemProtection(msg: DecodedMessage, ss: Uint8Array): void {
  const h = msg.message.header;
  if (protectionKind(h) !== "kem") throw new CmpError("wrongIntegrity", "expected KEM-based MAC protection");
  if (!msg.message.protection)
    throw new CmpError("badMessageCheck", "the message carries no protection value");
  const ssk = deriveSsk(ss, new Uint8Array(h.transactionID!), h.protectionAlg!);
  const expected = kemMac(h.protectionAlg!, ssk, msg.protectedPart);
  if (!timingSafeEqualBytes(expected, new Uint8Array(msg.message.protection.value))) {
    throw new CmpError("badMessageCheck", "KEM-based MAC protection does not verify");
  }
}
