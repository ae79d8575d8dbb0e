// The CA records with each certificate the RA that forwarded its request (RFC 9483 §5.2): the RA whose
// nested message carried it (§5.2.2), or the RA that protected it itself (§5.2.3); none for an EE's own.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { PKIBody } from "../../src/asn1/cmp.js";
import { CertReqMessages, CertReqMsg, ProofOfPossession } from "../../src/asn1/crmf.js";
import { nestedBody } from "../../src/cmp/build/request.js";
import { decodeNested, decodePKIMessage } from "../../src/cmp/message.js";
import { importPrivateKeyPem } from "../../src/crypto/index.js";
import { nameToString } from "../../src/pki/names.js";
import type { CertificateRecord } from "../../src/store/store.js";
import {
  createTestCa,
  decide,
  irRequest,
  pemCertificates,
  pollReq,
  request,
  send,
  serialOf,
  summarize,
  type Answer,
  type BuiltRequest,
  type RequestCredential,
  type TestCa,
} from "../helpers/ca.js";

/** The demo RA's subject (src/ca/demo.ts), written out rather than derived. */
const RA_SUBJECT = "CN=Demo RA,O=lwcmp demo";

function raCred(t: TestCa): RequestCredential {
  const [cert] = pemCertificates(t.files["ra-signer.crt"]!);
  return { kind: "signature", key: importPrivateKeyPem(t.files["ra-signer.key"]!), cert: cert! };
}

/** The inner requests in one nested message signed by the RA; the inner answers in order. */
async function viaNested(t: TestCa, inner: BuiltRequest[]): Promise<Answer[]> {
  const w = request(t, nestedBody(inner.map((r) => r.der)), { cred: raCred(t) });
  const outer = await send(t.ca, w, { operation: "nested" });
  assert.equal(outer.bodyType, "nested", outer.statusString.join("; "));
  return decodeNested(outer.decoded.message.body).map((d) => summarize(d.der));
}

/** An ir for `subject` re-protected by the RA, which vouches for the POP (raVerified, RFC 9483 §5.2.3.2). */
function raVerifiedIr(t: TestCa, subject: string): BuiltRequest {
  const ee = irRequest(t, { subject, pop: "none" });
  const [req] = decodePKIMessage(ee.der).message.body.ir as CertReqMessages;
  const msg = new CertReqMsg({ certReq: req!.certReq, popo: new ProofOfPossession({ raVerified: null }) });
  const body = new PKIBody({ ir: new CertReqMessages([msg]) });
  return request(t, body, { cred: raCred(t), implicitConfirm: true });
}

async function stored(t: TestCa, a: Answer): Promise<CertificateRecord> {
  assert.ok(a.certificate, `${a.bodyType}: ${a.statusString.join("; ")}`);
  const issuer = nameToString(AsnParser.parse(t.issuing, Certificate).tbsCertificate.subject);
  const rec = await t.store.getCertificate(issuer, serialOf(a.certificate));
  assert.ok(rec, "the issued certificate is stored");
  return rec;
}

describe("the RA that forwarded a request, stored with the certificate (RFC 9483 §5.2)", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("an EE's own requests (MAC, signature) record no RA", async () => {
    const mac = await send(t.ca, irRequest(t, { subject: "CN=direct-mac", implicitConfirm: true }));
    assert.equal((await stored(t, mac)).forwardedBy, undefined);
    const sig = irRequest(t, { subject: "CN=direct-sig", cred: t.idevid.cred, implicitConfirm: true });
    assert.equal((await stored(t, await send(t.ca, sig))).forwardedBy, undefined);
  });

  it("a request in the RA's nested message records the RA's subject (§5.2.2)", async () => {
    const [a] = await viaNested(t, [irRequest(t, { subject: "CN=nested-ee", implicitConfirm: true })]);
    const rec = await stored(t, a!);
    assert.equal(rec.forwardedBy, RA_SUBJECT);
    assert.match(rec.requester!, /^kid:/, "the requester stays the EE");
  });

  it("a request re-protected by the RA records the RA's subject (§5.2.3)", async () => {
    const a = await send(t.ca, raVerifiedIr(t, "CN=reprotected-ee"));
    const rec = await stored(t, a);
    assert.equal(rec.subject, "CN=reprotected-ee");
    assert.equal(rec.forwardedBy, RA_SUBJECT);
    assert.deepEqual(
      (await t.store.findCertificates({ forwardedBy: RA_SUBJECT, subject: "CN=reprotected-ee" })).map(
        (c) => c.serial,
      ),
      [rec.serial],
    );
  });

  it("a nested request that waited for approval records the RA even when the EE polls alone (§4.4)", async () => {
    const ir = irRequest(t, { subject: "CN=nested-waits", certProfile: "approval" });
    const [w] = await viaNested(t, [ir]);
    assert.equal(w!.statusName, "waiting");
    const tid = Buffer.from(w!.transactionID!).toString("hex");
    const approval = (await t.store.listApprovals("pending")).find((p) => p.transactionId === tid)!;
    assert.equal(await decide(t, approval.id, "approved"), true);
    const ip = await send(t.ca, pollReq(t, w!));
    assert.equal(ip.bodyType, "ip");
    assert.equal((await stored(t, ip)).forwardedBy, RA_SUBJECT);
  });
});
