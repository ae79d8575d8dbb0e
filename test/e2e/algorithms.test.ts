// Whole PKIs in one algorithm: CA, CMP signer, IDevID and the new key all of that type; ir signed
// with the IDevID, certConf (with hashAlg where the algorithm implies no hash), kur and rr.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CmpClient } from "../../src/client/client.js";
import { generateKeyPair, importPrivateKeyPem } from "../../src/crypto/index.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { postCmp } from "../../src/transport/http-client.js";
import { startDemo } from "../helpers/demo.js";
import { openssl, tempDir } from "../helpers/openssl.js";
import { join } from "node:path";
import { after, before } from "node:test";

let csr: Uint8Array;
const csrDir = tempDir();
before(() => {
  const key = join(csrDir.path, "p10.key");
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  csr = new Uint8Array(openssl(["req", "-new", "-key", key, "-subj", "/CN=p10-device", "-outform", "DER"]));
});
after(() => csrDir.cleanup());

for (const alg of [
  "ml-dsa-65",
  "ml-dsa-44",
  "slh-dsa-sha2-128f",
  "ed25519",
  "ed448",
  "rsa2048",
  "ec-p384",
  "composite:MLDSA65-ECDSA-P256-SHA512",
  "composite:MLDSA44-Ed25519-SHA512",
  "composite:MLDSA87-RSA3072-PSS-SHA512",
]) {
  describe(`PKI in ${alg}`, () => {
    it("ir (signature protection with the IDevID), certConf, cr, genm, p10cr, kur, rr", async () => {
      const d = await startDemo({ alg });
      try {
        const trusted = pemBlocks(d.read("root-ca.crt"));
        const [idCert, ...chain] = pemBlocks(d.read("idevid-chain.crt"));
        const idKey = importPrivateKeyPem(d.read("idevid.key"));
        const c = (credential: ConstructorParameters<typeof CmpClient>[0]["credential"]) =>
          new CmpClient({
            send: (der) => postCmp(`${d.url}/.well-known/cmp`, der),
            credential,
            trusted,
            untrusted: pemBlocks(d.read("issuing-ca.crt")),
          });
        const k1 = generateKeyPair(alg);
        const r = await c({ kind: "signature", key: idKey, certificate: idCert!, chain }).enroll("ir", {
          subject: `CN=${alg}-device`,
          newKey: k1,
        });
        const cert = AsnParser.parse(r.certificate, Certificate);
        assert.equal(
          cert.signatureAlgorithm.algorithm,
          AsnParser.parse(trusted[0]!, Certificate).signatureAlgorithm.algorithm,
        );
        const rec = (await d.server.store.findCertificates({ subject: `CN=${alg}-device` }))[0];
        assert.equal(rec?.status, "valid", "certConf accepted");
        // cr, genm and p10cr protected with the new certificate of this algorithm.
        const own = c({ kind: "signature", key: k1, certificate: r.certificate });
        // RFC 9483 §4.1.2: a cr keeps the subject of the certificate that authorizes it (allowSubjectChange).
        await own.enroll("cr", { subject: `CN=${alg}-device`, newKey: generateKeyPair(alg) });
        assert.equal((await own.getCaCerts()).length, 2);
        const p10 = await own.p10cr(csr);
        assert.ok(p10.certificate.length > 0);
        const k2 = generateKeyPair(alg);
        const kur = await c({ kind: "signature", key: k1, certificate: r.certificate }).enroll("kur", {
          newKey: k2,
        });
        const rr = await c({ kind: "signature", key: k2, certificate: kur.certificate }).revoke(
          kur.certificate,
          4,
        );
        assert.match(rr.status, /accepted/);
      } finally {
        await d.close();
      }
    });
  });
}
