// Benchmark: PKIMessages parsed + protection-verified per second for a typical signed ir, next to the
// raw signature verification alone, measured in the same run (the ratio is what matters).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { decodePKIMessage } from "../src/cmp/message.js";
import { verifyMacProtection, verifySignatureProtection } from "../src/cmp/protection.js";
import { importPublicKeySpki, verify } from "../src/crypto/index.js";
import { parseCertificate } from "../src/pki/certificate.js";
import { pemBlocks } from "../src/pki/pem.js";
import { ROOT, rate, report } from "./util.js";

const FIX = join(ROOT, "test", "fixtures", "openssl");
const der = new Uint8Array(readFileSync(join(FIX, "ir-sig.der")));
const cert = parseCertificate(pemBlocks(readFileSync(join(FIX, "pki", "client.crt"), "latin1"))[0]!);
const key = importPublicKeySpki(
  new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)),
);
const pbm = new Uint8Array(readFileSync(join(FIX, "ir-pbm.der")));
const secret = new TextEncoder().encode("test-secret-1");

const d0 = decodePKIMessage(der);
const alg = d0.message.header.protectionAlg!;
const sig = new Uint8Array(d0.message.protection!.value);
const part = d0.protectedPart;

const full = rate(() => verifySignatureProtection(decodePKIMessage(der), key));
const parseOnly = rate(() => decodePKIMessage(der));
const rawVerify = rate(() => verify(alg, key, part, sig));
const macFull = rate(() => verifyMacProtection(decodePKIMessage(pbm), secret));

report("parse + verify a signed ir (ECDSA P-256, OpenSSL-made)", [
  ["parse + verify signature protection", full, "msg/s"],
  ["parse only", parseOnly, "msg/s"],
  ["raw ECDSA verification alone", rawVerify, "verify/s"],
  ["parse + verify PBM (500 iterations, OpenSSL-made)", macFull, "msg/s"],
]);
console.log(
  `ratio parse+verify / raw verify: ${(full / rawVerify).toFixed(2)} (1.00 = parsing costs nothing)`,
);
