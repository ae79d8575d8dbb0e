// RFC 9483 §4.1 as the CA enforces it on ir, cr and kur: key size and reuse, requested keyUsage,
// extendedKeyUsage and basicConstraints, subject and subjectAltName authorization, pending key updates.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import {
  Certificate,
  type Extension,
  GeneralName,
  id_ce_subjectAltName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { PKIBody } from "../../src/asn1/cmp.js";
import {
  CertReqMessages,
  CertReqMsg,
  CertRequest,
  CertTemplate,
  POPOSigningKey,
  ProofOfPossession,
} from "../../src/asn1/crmf.js";
import * as oids from "../../src/asn1/oids.js";
import { defaultSignatureAlgorithm, generateKeyPair, sign, type PrivateKey } from "../../src/crypto/index.js";
import { wrapPrivateKey } from "../../src/crypto/keys.js";
import {
  basicConstraintsExt,
  extKeyUsageExt,
  findExtension,
  getExtKeyUsage,
  getKeyUsage,
  keyUsageExt,
  subjectAltNameExt,
} from "../../src/pki/extensions.js";
import {
  certConfFor,
  createTestCa,
  crRequest,
  dn,
  enrolled,
  irRequest,
  kurRequest,
  request,
  send,
  type Answer,
  type HeaderOptions,
  type TestCa,
} from "../helpers/ca.js";

/** A profile that relaxes every rule below, and one whose certificates may not sign. */
const PROFILES = `  lenient:
    subjectPattern: ".*"
    sanDnsPattern: "[a-z0-9.-]+"
    minimumKeyBits: { rsa: 1024 }
    allowKeyReuse: true
    requestableExtendedKeyUsage: [serverAuth]
    allowEmptySubject: true
    allowSubjectChange: true
  enc:
    keyUsage: [keyEncipherment]
`;

const rsaKey = (bits: number): PrivateKey =>
  wrapPrivateKey(generateKeyPairSync("rsa", { modulusLength: bits }).privateKey);

/** An ir/cr whose template carries `extensions` and `subject` ("" leaves the subject empty). */
function templateRequest(
  t: TestCa,
  o: HeaderOptions & { kind?: "ir" | "cr"; key?: PrivateKey; subject?: string; extensions?: Extension[] },
) {
  const key = o.key ?? generateKeyPair("ec-p256");
  const template = new CertTemplate({ publicKey: AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo) });
  const subject = o.subject ?? "CN=policy-ee";
  if (subject !== "") template.subject = dn(subject);
  if (o.extensions) template.extensions = o.extensions;
  const certReq = new CertRequest({ certReqId: 0, certTemplate: template });
  const alg = defaultSignatureAlgorithm(key);
  const signature = sign(alg, key, new Uint8Array(AsnSerializer.serialize(certReq)));
  const msg = new CertReqMsg({
    certReq,
    popo: new ProofOfPossession({
      signature: new POPOSigningKey({ algorithmIdentifier: alg, signature: new BitString(signature) }),
    }),
  });
  const body = new PKIBody({ [o.kind ?? "ir"]: new CertReqMessages([msg]) });
  return { ...request(t, body, o), key };
}

const certOf = (a: Answer) => AsnParser.parse(a.certificate!, Certificate);

function assertRejected(a: Answer, bodyType: string, failInfo: string): void {
  assert.equal(a.bodyType, bodyType);
  assert.equal(a.statusName, "rejection");
  assert.deepEqual(a.failInfo, [failInfo]);
  assert.equal(a.certificate, undefined);
  assert.ok(a.statusString[0]);
}

describe("RFC 9483 §4.1: key and template policy", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa({ configPatch: (y) => y + PROFILES });
  });
  after(() => t.close());
  const lenient = { profile: "lenient" };

  it("a 512-bit RSA key is refused under a profile without allowedKeyTypes; 2048 bits pass", async () => {
    const weak = await send(t.ca, irRequest(t, { key: rsaKey(512), implicitConfirm: true }));
    assertRejected(weak, "ip", "badCertTemplate");
    assert.match(weak.statusString[0]!, /at least 2048 bits, not 512/);
    const ok = await send(t.ca, irRequest(t, { key: rsaKey(2048), implicitConfirm: true }));
    assert.equal(ok.statusName, "accepted");
  });

  it("a profile may set its own minimum: 1024 bits pass under minimumKeyBits { rsa: 1024 }", async () => {
    const key = rsaKey(1024);
    const refused = await send(t.ca, irRequest(t, { key, implicitConfirm: true }));
    assertRejected(refused, "ip", "badCertTemplate");
    const ok = await send(t.ca, irRequest(t, { key, implicitConfirm: true }), lenient);
    assert.equal(ok.statusName, "accepted");
  });

  it("a public key already certified is refused; allowKeyReuse certifies it again", async () => {
    const ee = await enrolled(t, "CN=key-owner");
    const again = await send(t.ca, irRequest(t, { key: ee.key, subject: "CN=key-again" }));
    assertRejected(again, "ip", "badCertTemplate");
    assert.match(again.statusString[0]!, /already certified/);
    const cr = await send(t.ca, crRequest(t, { cred: ee.cred, key: ee.key, subject: "CN=key-owner" }));
    assertRejected(cr, "cp", "badCertTemplate");
    const reuse = await send(t.ca, irRequest(t, { key: ee.key, subject: "CN=key-again" }), lenient);
    assert.equal(reuse.statusName, "accepted");
  });

  it("the reuse check finds the key among many certificates (indexed by the SPKI hash)", async () => {
    // Older certificates first: a search that ignored the key and returned the oldest ten would miss it.
    for (let i = 0; i < 12; i++) await enrolled(t, `CN=key-filler-${i}`);
    const first = await enrolled(t, "CN=key-first");
    const again = await send(t.ca, irRequest(t, { key: first.key, subject: "CN=key-first-again" }));
    assertRejected(again, "ip", "badCertTemplate");
    assert.match(again.statusString[0]!, /already certified/);
  });

  it("at most one pending kur per certificate: a second one -> rejected kup duplicateCertReq", async () => {
    const ee = await enrolled(t, "CN=kur-pending");
    const first = await send(t.ca, kurRequest(t, { cred: ee.cred }));
    assert.equal(first.statusName, "accepted");
    const second = await send(t.ca, kurRequest(t, { cred: ee.cred }));
    assertRejected(second, "kup", "duplicateCertReq");
    const conf = await send(t.ca, certConfFor(t, first, { cred: ee.cred }));
    assert.equal(conf.bodyType, "pkiconf");
    const third = await send(t.ca, kurRequest(t, { cred: ee.cred, implicitConfirm: true }));
    assert.equal(third.statusName, "accepted", "the confirmed key update no longer blocks");
  });

  it("keyEncipherment requested for an ML-DSA key -> badCertTemplate, never replaced", async () => {
    const a = await send(
      t.ca,
      templateRequest(t, {
        key: generateKeyPair("ml-dsa-44"),
        extensions: [keyUsageExt(["keyEncipherment"])],
      }),
    );
    assertRejected(a, "ip", "badCertTemplate");
    assert.match(a.statusString[0]!, /keyEncipherment is inconsistent with a ml-dsa-44 key/);
  });

  it("a consistent keyUsage request is honoured exactly", async () => {
    const ku = keyUsageExt(["digitalSignature", "keyEncipherment"]);
    const a = await send(
      t.ca,
      templateRequest(t, { key: rsaKey(2048), extensions: [ku], implicitConfirm: true }),
    );
    assert.equal(a.statusName, "accepted");
    assert.deepEqual(getKeyUsage(certOf(a))?.sort(), ["digitalSignature", "keyEncipherment"]);
  });

  it("keyCertSign, basicConstraints cA and a duplicated extension -> badCertTemplate", async () => {
    for (const extensions of [
      [keyUsageExt(["digitalSignature", "keyCertSign"])],
      [basicConstraintsExt(true)],
      [keyUsageExt(["digitalSignature"]), keyUsageExt(["digitalSignature"])],
    ]) {
      assertRejected(await send(t.ca, templateRequest(t, { extensions })), "ip", "badCertTemplate");
    }
    const ee = templateRequest(t, { extensions: [basicConstraintsExt(false)], implicitConfirm: true });
    assert.equal((await send(t.ca, ee)).statusName, "accepted", "cA false is what is issued anyway");
  });

  it("extendedKeyUsage: outside the profile -> badCertTemplate; requestable -> honoured", async () => {
    const serverAuth = [extKeyUsageExt([oids.id_kp_serverAuth])];
    const refused = await send(t.ca, templateRequest(t, { extensions: serverAuth }));
    assertRejected(refused, "ip", "badCertTemplate");
    const ok = await send(
      t.ca,
      templateRequest(t, { extensions: serverAuth, implicitConfirm: true }),
      lenient,
    );
    assert.equal(ok.statusName, "accepted");
    assert.deepEqual(getExtKeyUsage(certOf(ok)), [oids.id_kp_serverAuth]);
  });

  it("extendedKeyUsage inconsistent with the requested keyUsage -> badCertTemplate (RFC 5280 §4.2.1.12)", async () => {
    const extensions = [keyUsageExt(["keyEncipherment"]), extKeyUsageExt([oids.id_kp_clientAuth])];
    const a = await send(t.ca, templateRequest(t, { key: rsaKey(2048), extensions }));
    assertRejected(a, "ip", "badCertTemplate");
  });

  it("an empty subject with a critical SAN: refused by default, accepted where the profile allows", async () => {
    const san = subjectAltNameExt([new GeneralName({ dNSName: "empty.example" })], true);
    const refused = await send(t.ca, templateRequest(t, { subject: "", extensions: [san] }));
    assertRejected(refused, "ip", "badCertTemplate");
    const ok = await send(
      t.ca,
      templateRequest(t, { subject: "", extensions: [san], implicitConfirm: true }),
      lenient,
    );
    assert.equal(ok.statusName, "accepted");
    const cert = certOf(ok);
    assert.equal(cert.tbsCertificate.subject.length, 0);
    // RFC 5280 §4.1.2.6: with an empty subject the subjectAltName is critical.
    assert.equal(findExtension(cert, id_ce_subjectAltName)?.critical, true);
  });
});

describe("RFC 9483 §4.1: authorization", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa({
      configPatch: (y) =>
        y.replace("    secret: file:demo-ee.secret\n", (m) =>
          m.concat("    subject: CN=device-7\n    dnsNames: [device-7.example]\n"),
        ) + PROFILES,
    });
  });
  after(() => t.close());

  it("cr keeps the holder's subject: CN=alice cannot obtain CN=bob; allowSubjectChange lets it", async () => {
    const alice = await enrolled(t, "CN=device-7");
    const bob = await send(t.ca, crRequest(t, { cred: alice.cred, subject: "CN=bob" }));
    assertRejected(bob, "cp", "notAuthorized");
    const same = await send(
      t.ca,
      crRequest(t, { cred: alice.cred, subject: "CN=device-7", implicitConfirm: true }),
    );
    assert.equal(same.statusName, "accepted");
    const changed = await send(
      t.ca,
      crRequest(t, { cred: alice.cred, subject: "CN=bob", implicitConfirm: true }),
      { profile: "lenient" },
    );
    assert.equal(changed.statusName, "accepted");
  });

  it("a shared secret bound to a subject may ask only for its listed SANs", async () => {
    const listed = await send(
      t.ca,
      irRequest(t, { subject: "CN=device-7", dnsNames: ["device-7.example"], implicitConfirm: true }),
    );
    assert.equal(listed.statusName, "accepted");
    const other = await send(t.ca, irRequest(t, { subject: "CN=device-7", dnsNames: ["bank.example"] }));
    assertRejected(other, "ip", "notAuthorized");
    assert.match(other.statusString[0]!, /bank\.example/);
  });

  it("a protection certificate whose keyUsage lacks digitalSignature authenticates nothing", async () => {
    const key = rsaKey(2048);
    const ip = await send(t.ca, irRequest(t, { key, subject: "CN=device-7", implicitConfirm: true }), {
      profile: "enc",
    });
    assert.equal(ip.statusName, "accepted");
    assert.deepEqual(getKeyUsage(certOf(ip)), ["keyEncipherment"]);
    const cred = { kind: "signature" as const, key, cert: ip.certificate! };
    const a = await send(t.ca, crRequest(t, { cred, subject: "CN=device-7" }));
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badMessageCheck"]);
    assert.match(a.statusString[0]!, /digitalSignature/);
  });
});
