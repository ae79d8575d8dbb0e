// Message protection: PBM, PBMAC1 and signatures compute over ProtectedPart, verify, and refuse
// tampering, wrong secrets, unknown algorithms and attacker-chosen iteration counts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { PKIBody, PKIMessage } from "../../src/asn1/cmp.js";
import { PBMParameter } from "../../src/asn1/itav.js";
import { CmpError } from "../../src/cmp/errors.js";
import { buildHeader } from "../../src/cmp/header.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import {
  protectMessage,
  protectionKind,
  verifyMacProtection,
  verifySignatureProtection,
  type ProtectionCredential,
} from "../../src/cmp/protection.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { opensslSelfSigned, tempDir } from "../helpers/openssl.js";
import { importPrivateKeyPem } from "../../src/crypto/index.js";
import { readFileSync } from "node:fs";

const secret = new TextEncoder().encode("correct horse");
const msg = () => new PKIMessage({ header: buildHeader(), body: new PKIBody({ pkiconf: null }) });
const failInfo = (fn: () => void): string[] => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CmpError, String(e));
    return [...e.failInfo];
  }
  assert.fail("expected a CmpError");
};

describe("MAC protection", () => {
  for (const kind of ["pbm", "pbmac1"] as const) {
    it(`${kind}: verifies with the secret, not with another`, () => {
      const der = protectMessage(msg(), { kind, secret, senderKID: new TextEncoder().encode("kid") });
      const d = decodePKIMessage(der);
      assert.equal(protectionKind(d.message.header), kind);
      verifyMacProtection(d, secret);
      assert.deepEqual(
        failInfo(() => verifyMacProtection(d, new TextEncoder().encode("wrong"))),
        ["badMessageCheck"],
      );
      const tampered = Buffer.from(der);
      tampered[tampered.indexOf(Buffer.from(d.message.header.senderNonce!))]! ^= 1;
      assert.deepEqual(
        failInfo(() => verifyMacProtection(decodePKIMessage(tampered), secret)),
        ["badMessageCheck"],
      );
    });
  }

  it("caps the iteration count a sender may demand", () => {
    const der = protectMessage(msg(), { kind: "pbm", secret, iterations: 5_000_000 } as ProtectionCredential);
    const d = decodePKIMessage(der);
    const p = AsnParser.parse(d.message.header.protectionAlg!.parameters!, PBMParameter);
    assert.equal(p.iterationCount, 5_000_000);
    const started = Date.now();
    assert.deepEqual(
      failInfo(() => verifyMacProtection(d, secret)),
      ["badAlg"],
    );
    assert.ok(Date.now() - started < 1000, "refused before iterating");
    // RFC 4211 §4.4: the sender may not go below 100 iterations either (receipt: test/conformance).
    assert.deepEqual(
      failInfo(() => protectMessage(msg(), { kind: "pbmac1", secret, iterations: 10 })),
      ["badAlg"],
    );
  });

  it("rejects unknown MAC algorithms inside PBM with badAlg", () => {
    const m = msg();
    protectMessage(m, { kind: "pbm", secret });
    const p = AsnParser.parse(m.header.protectionAlg!.parameters!, PBMParameter);
    p.mac.algorithm = "1.2.3.4";
    m.header.protectionAlg!.parameters = AsnSerializer.serialize(p);
    const der = new Uint8Array(AsnSerializer.serialize(m));
    assert.deepEqual(
      failInfo(() => verifyMacProtection(decodePKIMessage(der), secret)),
      ["badAlg"],
    );
  });

  it("asks for MAC protection where a signature came (wrongIntegrity)", () => {
    const k = generateKeyPair("ec-p256");
    const dir = tempDir();
    const { der: cert } = opensslSelfSigned(dir.path, "s", "/CN=s");
    const key = importPrivateKeyPem(readFileSync(`${dir.path}/s.key.pem`, "utf8"));
    const d = decodePKIMessage(protectMessage(msg(), { kind: "signature", key, certificate: cert }));
    dir.cleanup();
    assert.deepEqual(
      failInfo(() => verifyMacProtection(d, secret)),
      ["wrongIntegrity"],
    );
    assert.deepEqual(
      failInfo(() => verifySignatureProtection(d, k.publicKey)),
      ["badMessageCheck"],
    );
  });
});

describe("signature protection", () => {
  it("puts the protection certificate first in extraCerts and its SKI in senderKID", () => {
    const dir = tempDir();
    const { der: cert } = opensslSelfSigned(dir.path, "s", "/CN=signer");
    const key = importPrivateKeyPem(readFileSync(`${dir.path}/s.key.pem`, "utf8"));
    dir.cleanup();
    const d = decodePKIMessage(protectMessage(msg(), { kind: "signature", key, certificate: cert }));
    assert.deepEqual(Buffer.from(d.extraCerts[0]!.der), Buffer.from(cert));
    assert.ok(d.message.header.senderKID && d.message.header.senderKID.byteLength === 20);
    verifySignatureProtection(d, key.publicKey);
    const ed = generateKeyPair("ed25519");
    assert.deepEqual(
      failInfo(() => verifySignatureProtection(d, ed.publicKey)),
      ["badMessageCheck"],
    );
  });
});
