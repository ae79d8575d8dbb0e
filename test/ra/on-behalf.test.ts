// An RA acting for entities that do not speak CMP (RFC 9483 §5.3) against the lwcmp CA in process:
// p10cr from a CSR, ir with raVerified for a key the RA checked, rr signed by the RA — and a CA that does
// not know the RA refusing all three.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { parse as parseYaml } from "yaml";
import { CmpClientError } from "../../src/cmp/client/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { loadRaMaterials } from "../../src/config/ra-policy.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { nameToString } from "../../src/pki/names.js";
import { enrollForKey, enrollFromCsr, revokeOnBehalf, type ActingOptions } from "../../src/ra/on-behalf.js";
import type { RaMaterials } from "../../src/ra/types.js";
import { buildCsr, createTestCa, enrolled, serialOf, type TestCa } from "../helpers/ca.js";

function raMaterials(t: TestCa): RaMaterials {
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-ra-"));
  try {
    for (const [name, content] of Object.entries(t.files)) writeFileSync(join(dir, name), content);
    return loadRaMaterials(parseConfig(parseYaml(t.files["ra.yaml"]!)), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function acting(t: TestCa, sent: string[] = []): ActingOptions {
  const materials = raMaterials(t);
  return {
    materials,
    upstream: materials.upstreams.get("ca")!,
    send: (der, operation) => {
      sent.push(operation);
      return t.ca.handle(der, { operation });
    },
    recipient: "CN=Demo Issuing CA,O=lwcmp demo",
    now: t.clock.now,
  };
}

const subjectOf = (der: Uint8Array) => nameToString(AsnParser.parse(der, Certificate).tbsCertificate.subject);

describe("an RA acting on behalf of other entities (RFC 9483 §5.3)", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("enrolls from a PKCS#10 file with p10cr protected by the RA; a broken CSR never leaves the RA", async () => {
    const sent: string[] = [];
    const key = generateKeyPair("ec-p256");
    const r = await enrollFromCsr(acting(t, sent), buildCsr(key, "CN=legacy-plc-1"));
    assert.equal(subjectOf(r.certificate), "CN=legacy-plc-1");
    assert.deepEqual(sent, ["pkcs10"]);
    const rec = await t.store.getCertificate(
      nameToString(AsnParser.parse(t.issuing, Certificate).tbsCertificate.subject),
      serialOf(r.certificate),
    );
    const raCert = acting(t).materials.signer.cert.der;
    assert.equal(
      rec!.requester,
      `cert:CN=Demo Issuing CA,O=lwcmp demo#${serialOf(raCert)}`,
      "recorded as the RA's request",
    );
    assert.equal(rec!.forwardedBy, subjectOf(raCert), "forwarded by the RA (RFC 9483 §5.3)");
    await assert.rejects(
      enrollFromCsr(acting(t, sent), buildCsr(key, "CN=x", true)),
      /signature does not verify/,
    );
    assert.equal(sent.length, 1);
  });

  it("enrolls a key the RA verified with an ir carrying raVerified", async () => {
    const key = generateKeyPair("ec-p256");
    const r = await enrollForKey(acting(t), { subject: "CN=sensor-9", spki: key.publicKey.spki });
    const cert = AsnParser.parse(r.certificate, Certificate);
    assert.equal(nameToString(cert.tbsCertificate.subject), "CN=sensor-9");
    const certified = Buffer.from(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo));
    assert.ok(certified.equals(Buffer.from(key.publicKey.spki)), "the certified key is the EE's");
  });

  it("revokes an EE's certificate with an rr signed by the RA", async () => {
    const ee = await enrolled(t, "CN=revoked-for-ee");
    const r = await revokeOnBehalf(acting(t), ee.cert, 1);
    assert.match(r.status, /accepted/);
    const issuer = nameToString(AsnParser.parse(ee.cert, Certificate).tbsCertificate.issuer);
    const rec = await t.store.getCertificate(issuer, serialOf(ee.cert));
    assert.equal(rec!.status, "revoked");
    assert.equal(rec!.revocationReason, 1);
  });

  it("a CA that does not list the RA refuses raVerified and the RA's revocation", async () => {
    const other = await createTestCa({ configPatch: (y) => y.replace("ras: [ra-signer.crt]", "ras: []") });
    try {
      const key = generateKeyPair("ec-p256");
      const refused = await enrollForKey(acting(other), { subject: "CN=x", spki: key.publicKey.spki }).catch(
        (e: unknown) => e,
      );
      assert.ok(refused instanceof CmpClientError, String(refused));
      assert.ok(
        refused.failInfo.includes("badPOP") || refused.failInfo.includes("notAuthorized"),
        refused.message,
      );
      const ee = await enrolled(other, "CN=not-yours");
      const rr = await revokeOnBehalf(acting(other), ee.cert).catch((e: unknown) => e);
      assert.ok(rr instanceof CmpClientError);
      assert.ok(rr.failInfo.includes("notAuthorized"), rr.message);
    } finally {
      await other.close();
    }
  });
});
