// Benchmark certConf (RFC 9483 §4.1.1): the load generator answers each ip with a certConf for its
// certificate, built and protected like the client does (same sender, transactionID, recipNonce = the
// server's senderNonce), without checking the pkiConf beyond its body type.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AsnParser } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, type Certificate } from "@peculiar/asn1-x509";
import { DerReader, readPKIHeader } from "../src/asn1/der/index.js";
import { PKIMessage } from "../src/asn1/cmp.js";
import { certConfBody } from "../src/cmp/build/request.js";
import { buildHeader } from "../src/cmp/header.js";
import { protectMessage, type ProtectionCredential } from "../src/cmp/protection.js";
import { importPrivateKeyPem } from "../src/crypto/index.js";
import { pemBlocks } from "../src/pki/pem.js";

/** The demo EE's protection: the IDevID (signature modes) or the demo shared secret (MAC modes). */
export function benchProtection(dir: string, mode: string): ProtectionCredential {
  if (mode.startsWith("mac")) {
    const secret = readFileSync(join(dir, "demo-ee.secret"), "utf8").trim();
    return {
      kind: "pbm",
      secret: new TextEncoder().encode(secret),
      senderKID: new TextEncoder().encode("demo-ee"),
    };
  }
  const key = importPrivateKeyPem(readFileSync(join(dir, "idevid.key"), "utf8"));
  const [certificate, ...chain] = pemBlocks(readFileSync(join(dir, "idevid-chain.crt"), "latin1"));
  return { kind: "signature", key, certificate: certificate!, chain };
}

/**
 * The certConf accepting the certificate of `ip`, the answer to `ir`; undefined when `ip` holds none.
 * The fields are read from the DER (no full decode, no certificate parse), so the load generator
 * spends little of the machine on it.
 */
export function certConfFor(
  ir: Uint8Array,
  ip: Uint8Array,
  cred: ProtectionCredential,
): Uint8Array | undefined {
  try {
    const request = readPKIHeader(DerReader.of(new DerReader(ir).read()).read());
    const [headerEl, bodyEl] = DerReader.of(new DerReader(ip).read()).all();
    const answer = readPKIHeader(headerEl!);
    // ip [1] { CertRepMessage { caPubs [1] OPTIONAL, response SEQUENCE OF CertResponse } }
    const rep = DerReader.of(DerReader.of(bodyEl!).expect(0x30, "CertRepMessage"));
    if (rep.peekTag() === 0xa1) rep.read();
    const first = DerReader.of(DerReader.of(rep.expect(0x30, "response")).expect(0x30, "CertResponse"));
    first.expect(0x02, "certReqId");
    first.expect(0x30, "status");
    const pair = DerReader.of(first.expect(0x30, "certifiedKeyPair"));
    const der = DerReader.of(pair.expect(0xa0, "certificate")).expect(0x30, "Certificate").bytes;
    const sigAlg = DerReader.of(new DerReader(der).read()).all()[1]!.bytes;
    const parsed = { signatureAlgorithm: AsnParser.parse(sigAlg, AlgorithmIdentifier) } as Certificate;
    const { body, needsCmp2021 } = certConfBody({ certificate: der, parsed, certReqId: 0 });
    const header = buildHeader({
      // RFC 9810 §5.3.18: hashAlg (for e.g. ML-DSA certificates) needs pvno 3.
      pvno: needsCmp2021 ? 3 : answer.pvno,
      sender: request.sender,
      recipient: answer.sender,
      transactionID: new Uint8Array(answer.transactionID!),
      recipNonce: new Uint8Array(answer.senderNonce!),
    });
    return protectMessage(new PKIMessage({ header, body }), cred);
  } catch {
    return undefined;
  }
}

/** true when the DER answer is a pkiConf (PKIBody [19] PKIConfirmContent, a NULL). */
export function isPkiConf(der: Uint8Array): boolean {
  try {
    const parts = DerReader.of(new DerReader(der).read()).all();
    return parts[1]?.tag === 0xb3;
  } catch {
    return false;
  }
}
