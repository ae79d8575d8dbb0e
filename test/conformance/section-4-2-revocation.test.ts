// RFC 9483 §4.2 as the CA enforces it on rr: who may revoke, the reasonCode (RFC 5280 §5.3.1) in
// crlEntryDetails, certificateHold and its release by removeFromCRL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  Certificate,
  CRLReason,
  Extension,
  id_ce_cRLReasons,
  id_ce_invalidityDate,
  InvalidityDate,
} from "@peculiar/asn1-x509";
import { PKIBody, RevDetails, RevReqContent } from "../../src/asn1/cmp.js";
import { CertTemplate } from "../../src/asn1/crmf.js";
import {
  createTestCa,
  enrolled,
  request,
  rrRequest,
  send,
  serialOf,
  type Answer,
  type HeaderOptions,
  type TestCa,
} from "../helpers/ca.js";

const withRa = (y: string) => y.replace("ras: [ra-signer.crt]", "ras: [manufacturer-ca.crt]");

const reasonExt = (reason: number) =>
  new Extension({
    extnID: id_ce_cRLReasons,
    critical: false,
    extnValue: new OctetString(AsnSerializer.serialize(new CRLReason(reason))),
  });

/** rr for `cert` with exactly the given crlEntryDetails. */
function rrWith(t: TestCa, cert: Uint8Array, crlEntryDetails: Extension[] | undefined, o: HeaderOptions) {
  const tbs = AsnParser.parse(cert, Certificate).tbsCertificate;
  const details = new RevDetails({
    certDetails: new CertTemplate({ issuer: tbs.issuer, serialNumber: tbs.serialNumber }),
  });
  if (crlEntryDetails) details.crlEntryDetails = crlEntryDetails;
  return request(t, new PKIBody({ rr: new RevReqContent([details]) }), o);
}

function assertRejected(a: Answer, failInfo: string): void {
  assert.equal(a.bodyType, "rp");
  assert.equal(a.statusName, "rejection");
  assert.deepEqual(a.failInfo, [failInfo]);
  assert.ok(a.statusString[0]);
}

describe("RFC 9483 §4.2: revocation requests", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa({ configPatch: withRa });
  });
  after(() => t.close());
  const record = (cert: Uint8Array) =>
    t.store.getCertificate("CN=Demo Issuing CA,O=lwcmp demo", serialOf(cert));
  const ra = () => t.idevid.cred;

  it("reasonCode 7 and 11 are no CRLReason -> rejected rp badRequest; the certificate stays valid", async () => {
    const ee = await enrolled(t, "CN=rr-bad-reason");
    for (const reason of [7, 11]) {
      assertRejected(await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert, reason })), "badRequest");
    }
    assert.equal((await record(ee.cert))?.status, "valid");
  });

  it("a duplicated extension in crlEntryDetails -> rejected rp badRequest", async () => {
    const ee = await enrolled(t, "CN=rr-duplicate");
    const a = await send(t.ca, rrWith(t, ee.cert, [reasonExt(1), reasonExt(1)], { cred: ee.cred }));
    assertRejected(a, "badRequest");
    assert.equal((await record(ee.cert))?.status, "valid");
  });

  it("without a reasonCode: unspecified by default (OpenSSL 3.0 sends none)", async () => {
    const ee = await enrolled(t, "CN=rr-no-reason");
    const a = await send(t.ca, rrWith(t, ee.cert, undefined, { cred: ee.cred }));
    assert.equal(a.statusName, "accepted");
    assert.equal((await record(ee.cert))?.revocationReason, 0);
  });

  it("the invalidityDate of crlEntryDetails is kept with the revocation", async () => {
    const ee = await enrolled(t, "CN=rr-invalidity");
    const when = new Date(Math.floor(t.clock.now().getTime() / 1000) * 1000 - 86_400_000);
    const date = new Extension({
      extnID: id_ce_invalidityDate,
      critical: false,
      extnValue: new OctetString(AsnSerializer.serialize(new InvalidityDate(when))),
    });
    const a = await send(t.ca, rrWith(t, ee.cert, [reasonExt(1), date], { cred: ee.cred }));
    assert.equal(a.statusName, "accepted");
    assert.deepEqual((await record(ee.cert))?.invalidityDate, when);
  });

  it("rr by another EE -> rejected rp notAuthorized; by an authorized RA -> accepted", async () => {
    const victim = await enrolled(t, "CN=rr-target");
    const other = await enrolled(t, "CN=rr-intruder");
    assertRejected(
      await send(t.ca, rrRequest(t, { cred: other.cred, cert: victim.cert, reason: 1 })),
      "notAuthorized",
    );
    assert.equal((await record(victim.cert))?.status, "valid");
    const byRa = await send(t.ca, rrRequest(t, { cred: ra(), cert: victim.cert, reason: 1 }));
    assert.equal(byRa.statusName, "accepted");
    assert.equal((await record(victim.cert))?.status, "revoked");
  });

  it("removeFromCRL for a certificate not on hold -> badRequest; revoked for good -> certRevoked", async () => {
    const ee = await enrolled(t, "CN=rr-not-held");
    assertRejected(await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert, reason: 8 })), "badRequest");
    assert.equal((await record(ee.cert))?.status, "valid");
    await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert, reason: 1 }));
    assertRejected(await send(t.ca, rrRequest(t, { cred: ra(), cert: ee.cert, reason: 8 })), "certRevoked");
    assert.equal((await record(ee.cert))?.revocationReason, 1);
  });

  it("certificateHold, then removeFromCRL releases the certificate: valid again", async () => {
    const ee = await enrolled(t, "CN=rr-held");
    const hold = await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert, reason: 6 }));
    assert.equal(hold.statusName, "accepted");
    const held = await record(ee.cert);
    assert.equal(held?.status, "revoked");
    assert.equal(held?.revocationReason, 6);
    assertRejected(await send(t.ca, rrRequest(t, { cred: ra(), cert: ee.cert, reason: 6 })), "certRevoked");
    const release = await send(t.ca, rrRequest(t, { cred: ra(), cert: ee.cert, reason: 8 }));
    assert.equal(release.statusName, "accepted");
    const released = await record(ee.cert);
    assert.equal(released?.status, "valid");
    assert.equal(released?.revocationReason, undefined);
  });

  it("a certificate on hold may still be revoked for good", async () => {
    const ee = await enrolled(t, "CN=rr-held-then-revoked");
    await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert, reason: 6 }));
    const a = await send(t.ca, rrRequest(t, { cred: ra(), cert: ee.cert, reason: 1 }));
    assert.equal(a.statusName, "accepted");
    assert.equal((await record(ee.cert))?.revocationReason, 1);
  });
});

describe("RFC 9483 §4.2: reasonCode required (policy.requireRevocationReason)", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa({
      configPatch: (y) => y.replace("policy:\n", "policy:\n  requireRevocationReason: true\n"),
    });
  });
  after(() => t.close());

  it("an rr without reasonCode -> rejected rp badRequest; with one -> accepted", async () => {
    const ee = await enrolled(t, "CN=rr-strict");
    assertRejected(await send(t.ca, rrWith(t, ee.cert, undefined, { cred: ee.cred })), "badRequest");
    const ok = await send(t.ca, rrWith(t, ee.cert, [reasonExt(0)], { cred: ee.cred }));
    assert.equal(ok.statusName, "accepted");
  });
});
