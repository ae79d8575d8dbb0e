// The encodings of one public key: whether a received SubjectPublicKeyInfo is already the form node:crypto
// exports (so it need not be exported again), and one form per key for telling keys apart.
import { createPublicKey, type KeyObject } from "node:crypto";
import { DerReader, type DerElement } from "../asn1/der/reader.js";
import type { PublicKey } from "./key-types.js";
import { keyAlgorithms } from "./registry.js";

/** Key types whose AlgorithmIdentifier carries no parameters (RFC 8410, FIPS 203/204/205 key OIDs). */
const WITHOUT_PARAMETERS = /^(ed25519|ed448|x25519|x448|ml-dsa-\d+|ml-kem-\d+|slh-dsa-.+)$/;

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm { OID, parameters OPTIONAL }, subjectPublicKey BIT STRING }. */
function spkiParts(der: Uint8Array): { params?: DerElement; key: Uint8Array } | undefined {
  try {
    const spki = DerReader.of(new DerReader(der).read());
    const alg = DerReader.of(spki.expect(0x30, "AlgorithmIdentifier"));
    alg.expect(0x06, "algorithm");
    const params = alg.empty ? undefined : alg.read();
    const key = spki.expect(0x03, "subjectPublicKey").content;
    return alg.empty && spki.empty ? { params, key } : undefined;
  } catch {
    return undefined;
  }
}

/** The EC key type whose named-curve parameters (their DER) these are, if known. */
function ecTypeOfParameters(params: Uint8Array): string | undefined {
  return keyAlgorithms().find(
    (a) => a.family === "ec" && a.parameters !== undefined && Buffer.from(a.parameters).equals(params),
  )?.type;
}

/**
 * What the strict-DER SubjectPublicKeyInfo a key was imported from tells, read once: whether it is in the
 * one form its key exports to (a named curve with an uncompressed point, rsaEncryption with NULL
 * parameters, or an algorithm without parameters; anything else, such as compressed points, explicit
 * curves or RSA-PSS parameters, is exported again to get that form), and for such an EC key the type its
 * curve parameters name (node read the same bytes).
 */
export function importedSpkiForm(
  der: Uint8Array,
  nodeType: string | undefined,
): { canonical: boolean; ecType?: string } {
  const p = spkiParts(der);
  if (!p) return { canonical: false };
  if (nodeType === "ec") {
    const canonical = p.params?.tag === 0x06 && p.key[0] === 0 && p.key[1] === 0x04;
    return { canonical, ecType: canonical ? ecTypeOfParameters(p.params!.bytes) : undefined };
  }
  if (nodeType === "rsa") return { canonical: p.params?.tag === 0x05 && p.params.content.length === 0 };
  return { canonical: p.params === undefined && WITHOUT_PARAMETERS.test(nodeType ?? "") };
}

/** One encoding per key, for telling keys apart (a point sent compressed is the same key as uncompressed). */
const identities = new WeakMap<PublicKey, Uint8Array>();

/**
 * The SubjectPublicKeyInfo of `key` in one form whatever form it came in: EC points uncompressed (SEC 1
 * §2.3.3; node keeps a compressed point compressed on export), every other key as it exports.
 */
export function keyIdentityDer(key: PublicKey): Uint8Array {
  let der = identities.get(key);
  if (der) return der;
  der = key.spki;
  const native = (key as { native?: KeyObject }).native;
  if (native?.asymmetricKeyType === "ec" && spkiParts(der)?.key[1] !== 0x04) {
    const jwk = native.export({ format: "jwk" });
    der = new Uint8Array(
      createPublicKey({ key: jwk, format: "jwk" }).export({ format: "der", type: "spki" }),
    );
  }
  identities.set(key, der);
  return der;
}
