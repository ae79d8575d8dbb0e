// A key generation authority at the RA (RFC 9483 §4.1.6, `ra.kga`): in front of a CA that generates no
// keys, EEs asking for a central key get one from the RA — signed by the KGA, encrypted to the EE by
// password (MAC) or key agreement (IDevID) — with a certificate the CA issued for it, confirmed by certConf.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CmpClient, type ClientCredential } from "../../src/client/client.js";
import { importPrivateKeyPem, type PrivateKey } from "../../src/crypto/index.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { startRaServer, type RunningRa } from "../../src/server/index.js";
import { postCmp } from "../../src/transport/http-client.js";
import { startDemo, type Demo } from "../helpers/demo.js";
import { serialOf } from "../helpers/ca.js";

const ISSUER = "CN=Demo Issuing CA,O=lwcmp demo";

function matches(key: PrivateKey, certDer: Uint8Array): boolean {
  const cert = AsnParser.parse(certDer, Certificate);
  return Buffer.from(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)).equals(
    Buffer.from(key.publicKey.spki),
  );
}

describe("central key generation at the RA (ra.kga)", () => {
  let d: Demo;
  let ra: RunningRa;
  const client = (credential: ClientCredential) =>
    new CmpClient({
      send: (der, op) => postCmp(`${ra.url}/${op}`, der),
      credential,
      trusted: pemBlocks(d.read("root-ca.crt")),
      untrusted: pemBlocks(d.read("issuing-ca.crt")),
    });

  before(async () => {
    // The CA has no KGA of its own: a request still without a key would be refused there.
    d = await startDemo({
      configPatch: (y) => y.replace("  kga:\n    certificate: kga.crt\n    key: kga.key\n", ""),
    });
    const yaml = d
      .read("ra.yaml")
      .replace("store: sqlite:ra.db", "store: sqlite:ra-kga.db")
      .replace("ra:\n  signer:", "ra:\n  kga: { certificate: kga.crt, key: kga.key }\n  signer:");
    writeFileSync(d.file("ra-kga.yaml"), yaml);
    ra = await startRaServer(d.file("ra-kga.yaml"), {
      port: 0,
      log: () => undefined,
      upstreamUrls: { ca: `${d.url}/.well-known/cmp`, "ca-nested": `${d.url}/.well-known/cmp` },
    });
  });
  after(async () => {
    await ra.close();
    await d.close();
  });

  it("a MAC-protected ir gets an EC key by password recipient; an IDevID ir an Ed25519 key by key agreement", async () => {
    const mac: ClientCredential = {
      kind: "mac",
      reference: d.kid,
      secret: new TextEncoder().encode(d.secret),
    };
    const r1 = await client(mac).enroll("ir", { subject: "CN=ra-kga-mac" });
    assert.equal(r1.privateKey?.type, "ec-p256", "the RA's default key type");
    assert.ok(matches(r1.privateKey!, r1.certificate), "the certificate is for the key the EE received");

    const [certificate, ...chain] = pemBlocks(d.read("idevid-chain.crt"));
    const idevid: ClientCredential = {
      kind: "signature",
      key: importPrivateKeyPem(d.read("idevid.key")),
      certificate: certificate!,
      chain,
    };
    const r2 = await client(idevid).enroll("ir", { subject: "CN=ra-kga-idevid", centralKeyType: "ed25519" });
    assert.equal(r2.privateKey?.type, "ed25519");
    assert.ok(matches(r2.privateKey!, r2.certificate));

    for (const r of [r1, r2]) {
      const rec = await d.server.store.getCertificate(ISSUER, serialOf(r.certificate));
      assert.equal(rec?.status, "valid", "confirmed through the RA");
      assert.equal(
        rec?.forwardedBy,
        "CN=Demo RA,O=lwcmp demo",
        "the CA records the RA that sent the request",
      );
    }
  });

  it("refuses a KGA certificate without id-kp-cmKGA at start, in one line", async () => {
    const yaml = d
      .read("ra-kga.yaml")
      .replace(
        "kga: { certificate: kga.crt, key: kga.key }",
        "kga: { certificate: ra-signer.crt, key: ra-signer.key }",
      );
    writeFileSync(d.file("ra-badkga.yaml"), yaml);
    await assert.rejects(
      startRaServer(d.file("ra-badkga.yaml"), { port: 0, log: () => undefined }),
      /ra\.kga\.certificate: lacks extended key usage id-kp-cmKGA/,
    );
  });
});
