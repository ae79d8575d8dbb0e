// Benchmark: the ASN.1 fast path against the schema path, same inputs, same run — decoding a
// signature-protected ir, writing a TBSCertificate, and serialising an ip body with the issued certificate.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CertOrEncCert, CertResponse, CertifiedKeyPair, PKIStatus } from "../src/asn1/cmp.js";
import { writeCertRepBody } from "../src/asn1/der/index.js";
import { certRepBody, certResponse } from "../src/cmp/build/response.js";
import { decodePKIMessage, decodePKIMessageSchema } from "../src/cmp/message.js";
import { statusInfo } from "../src/cmp/status.js";
import { defaultSignatureAlgorithm, generateKeyPair } from "../src/crypto/index.js";
import { randomSerial, tbsCertificateDer, tbsCertificateDerSchema } from "../src/pki/build.js";
import { parseName } from "../src/pki/names.js";
import { rate } from "./util.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "fixtures", "openssl");
const ir = new Uint8Array(readFileSync(join(fixtures, "ir-sig.der")));
const issued = AsnSerializer.serialize(
  decodePKIMessage(readFileSync(join(fixtures, "ip-sig.der"))).message.extraCerts![0]!,
);
const issuedDer = new Uint8Array(issued);

const key = generateKeyPair("ec-p256");
const alg = defaultSignatureAlgorithm(key);
const spec = {
  issuer: parseName("CN=Bench CA,O=lwcmp"),
  subject: parseName("CN=bench-device,O=lwcmp"),
  notBefore: new Date(),
  notAfter: new Date(Date.now() + 365 * 86400_000),
  subjectPublicKeyInfo: generateKeyPair("ec-p256").publicKey.spki,
  extensions: [],
  issuerKey: key,
};
const serial = randomSerial();
const status = statusInfo(PKIStatus.accepted);

function schemaIp(): ArrayBuffer {
  const r = new CertResponse({
    certReqId: 0,
    status,
    certifiedKeyPair: new CertifiedKeyPair({
      certOrEncCert: new CertOrEncCert({ certificate: AsnParser.parse(issuedDer, Certificate) }),
    }),
  });
  return AsnSerializer.serialize(certRepBody("ir", [r]));
}

const rows: [string, () => unknown, () => unknown][] = [
  [
    "decodePKIMessage (ir, signature, 1 extraCert)",
    () => decodePKIMessage(ir),
    () => decodePKIMessageSchema(ir),
  ],
  [
    "TBSCertificate (EC P-256)",
    () => tbsCertificateDer(spec, alg, serial),
    () => tbsCertificateDerSchema(spec, alg, serial),
  ],
  [
    "ip body with the issued certificate",
    () => writeCertRepBody(certRepBody("ir", [certResponse(0, status, { certificate: { der: issuedDer } })])),
    schemaIp,
  ],
];

console.log("ASN.1 fast path against the schema path (operations per second, same run)");
for (const [name, fast, schema] of rows) {
  const s = rate(schema);
  const f = rate(fast);
  console.log(
    `  ${name.padEnd(48)} schema ${s.toFixed(0).padStart(7)}/s  fast ${f.toFixed(0).padStart(7)}/s  x${(f / s).toFixed(2)}`,
  );
}
