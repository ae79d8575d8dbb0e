// The lwcmp client against the lwcmp CA over HTTP: every operation, and the failures a CA must report.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { PKIBody, PKIMessage } from "../../src/asn1/cmp.js";
import { CertReqMessages } from "../../src/asn1/crmf.js";
import { CmpClient, CmpClientError, type ClientCredential } from "../../src/client/client.js";
import { buildHeader } from "../../src/cmp/header.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectMessage } from "../../src/cmp/protection.js";
import { describeStatus } from "../../src/cmp/status.js";
import { generateKeyPair, importPrivateKeyPem, type PrivateKey } from "../../src/crypto/index.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import { openStore } from "../../src/store/open.js";
import { startDemo, type Demo } from "../helpers/demo.js";
import { opensslSelfSigned } from "../helpers/openssl.js";

describe("lwcmp client -> lwcmp CA", () => {
  let d: Demo;
  let trusted: Uint8Array[];
  const macCred = (secret?: string): ClientCredential => ({
    kind: "mac",
    reference: d.kid,
    secret: new TextEncoder().encode(secret ?? d.secret),
  });
  const client = (
    credential: ClientCredential,
    extra: Partial<ConstructorParameters<typeof CmpClient>[0]> = {},
  ) =>
    new CmpClient({
      send: (der, op) => postCmp(cmpUrl(d.url, extra.certProfile, op), der),
      credential,
      trusted,
      untrusted: [pemBlocks(d.read("issuing-ca.crt"))[0]!],
      ...extra,
    });
  const failInfo = async (p: Promise<unknown>): Promise<CmpClientError> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof CmpClientError, String(e));
      return e;
    }
    assert.fail("expected a CmpClientError");
  };

  before(async () => {
    d = await startDemo();
    trusted = pemBlocks(d.read("root-ca.crt"));
  });
  after(() => d.close());

  let devKey: PrivateKey;
  let devCert: Uint8Array;

  it("ir with MAC; the certificate chains to the root and certConf is sent", async () => {
    devKey = generateKeyPair("ec-p256");
    const r = await client(macCred()).enroll("ir", { subject: "CN=dev-1,O=Example", newKey: devKey });
    devCert = r.certificate;
    assert.equal(r.implicitlyConfirmed, false);
    const cert = AsnParser.parse(r.certificate, Certificate);
    assert.deepEqual(
      Buffer.from(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)),
      Buffer.from(devKey.publicKey.spki),
    );
    assert.ok(r.caPubs.length === 1, "MAC-based ip carries the root in caPubs");
    const store = d.server.store;
    const rec = (await store.findCertificates({ subject: "CN=dev-1,O=Example" }))[0];
    assert.equal(rec?.status, "valid", "certConf marked it valid");
  });

  it("ir with an IDevID and implicitConfirm; PBMAC1 ir too", async () => {
    const idKey = importPrivateKeyPem(d.read("idevid.key"));
    const [idCert, ...chain] = pemBlocks(d.read("idevid-chain.crt"));
    const c = client(
      { kind: "signature", key: idKey, certificate: idCert!, chain },
      { implicitConfirm: true },
    );
    const r = await c.enroll("ir", { subject: "CN=dev-2", newKey: generateKeyPair("ed25519") });
    assert.equal(r.implicitlyConfirmed, true);
    const p = await client({ ...macCred(), algorithm: "pbmac1" } as ClientCredential).enroll("ir", {
      subject: "CN=dev-pbmac1",
      newKey: generateKeyPair("ec-p384"),
    });
    assert.ok(p.certificate.length > 0);
  });

  it("ML-DSA-65 key enrolled (certConf with hashAlg, pvno 3)", async () => {
    const r = await client(macCred()).enroll("ir", {
      subject: "CN=dev-mldsa",
      newKey: generateKeyPair("ml-dsa-65"),
    });
    const rec = (await d.server.store.findCertificates({ subject: "CN=dev-mldsa" }))[0];
    assert.equal(rec?.status, "valid");
    assert.ok(r.certificate.length > 1000);
  });

  it("cr and kur with the issued certificate, rr of the updated one", async () => {
    const sig: ClientCredential = { kind: "signature", key: devKey, certificate: devCert };
    // RFC 9483 §4.1.2: a cr keeps the subject of the certificate that authorizes it (allowSubjectChange).
    const cr = await client(sig).enroll("cr", {
      subject: "CN=dev-1,O=Example",
      newKey: generateKeyPair("rsa2048"),
      dnsNames: ["dev-1.example"],
    });
    assert.ok(cr.certificate);
    const newKey = generateKeyPair("ec-p256");
    const kur = await client(sig).enroll("kur", { newKey });
    const kc = AsnParser.parse(kur.certificate, Certificate);
    assert.equal(
      Buffer.from(AsnSerializer.serialize(kc.tbsCertificate.subject)).toString("hex"),
      Buffer.from(
        AsnSerializer.serialize(AsnParser.parse(devCert, Certificate).tbsCertificate.subject),
      ).toString("hex"),
    );
    const rr = await client({ kind: "signature", key: newKey, certificate: kur.certificate }).revoke(
      kur.certificate,
      1,
    );
    assert.match(rr.status, /accepted/);
    // The revoked certificate no longer authenticates anything.
    const e = await failInfo(
      client({ kind: "signature", key: newKey, certificate: kur.certificate }).getCaCerts(),
    );
    assert.ok(e.failInfo.includes("signerNotTrusted"), e.message);
  });

  it("p10cr and the genm operations", async () => {
    const c = client(macCred());
    const ca = await c.getCaCerts();
    assert.equal(ca.length, 2);
    assert.equal(await c.getRootUpdate(trusted[0]), undefined);
    const tpl = await c.getCertReqTemplate();
    assert.ok(tpl);
    assert.equal(tpl.keySpec, undefined, "the default profile names no key type");
    const tls = await client(macCred(), { certProfile: "tls-server" }).getCertReqTemplate();
    assert.deepEqual(
      tls?.keySpec?.map((k) => k.type),
      ["1.3.6.1.5.5.7.5.1.11"],
      "tls-server names its key type with id-regCtrl-algId",
    );
    const unknown = client(macCred(), { certProfile: "no-such-profile" });
    const e = await failInfo(unknown.getCertReqTemplate());
    assert.match(e.message, /unknown certificate profile "no-such-profile"/);
    const crls = await c.getCrls("CN=Demo Issuing CA,O=lwcmp demo");
    assert.equal(crls.length, 1);
  });

  it("wrong secret -> badMessageCheck", async () => {
    const e = await failInfo(
      client(macCred("wrong")).enroll("ir", { subject: "CN=x", newKey: generateKeyPair("ec-p256") }),
    );
    assert.deepEqual(e.failInfo, ["badMessageCheck"]);
  });

  it("unknown signer -> signerNotTrusted", async () => {
    const { der } = opensslSelfSigned(d.dir, "stranger", "/CN=stranger");
    const key = importPrivateKeyPem(d.read("stranger.key.pem"));
    const e = await failInfo(
      client({ kind: "signature", key, certificate: der }).enroll("ir", {
        subject: "CN=x",
        newKey: generateKeyPair("ec-p256"),
      }),
    );
    assert.deepEqual(e.failInfo, ["signerNotTrusted"]);
  });

  it("subject not allowed by the profile -> rejection with a clear statusString", async () => {
    const e = await failInfo(
      client(macCred()).enroll("ir", { subject: "O=no common name", newKey: generateKeyPair("ec-p256") }),
    );
    assert.deepEqual(e.failInfo, ["badCertTemplate"]);
    assert.match(e.message, /subject "O=no common name" is not allowed by profile "default"/);
  });

  it("rr of an unknown serial -> badCertId in the rp", async () => {
    const c = client({ kind: "signature", key: devKey, certificate: devCert });
    const cert = AsnParser.parse(devCert, Certificate);
    cert.tbsCertificate.serialNumber = new Uint8Array([0x01, 0x02, 0x03]).buffer;
    const e = await failInfo(c.revoke(new Uint8Array(AsnSerializer.serialize(cert))));
    assert.deepEqual(e.failInfo, ["badCertId"]);
  });

  async function rawIr(opts: { transactionID?: Uint8Array; badPop?: boolean }): Promise<PKIMessage> {
    const key = generateKeyPair("ec-p256");
    const c = client(macCred());
    let captured: Uint8Array | undefined;
    const capture = new CmpClient({
      send: async (der) => {
        captured = der;
        throw new Error("captured");
      },
      credential: macCred(),
    });
    await capture.enroll("ir", { subject: "CN=raw", newKey: key }).catch(() => undefined);
    void c;
    const m = decodePKIMessage(captured!).message;
    if (opts.badPop) {
      const req = (m.body.ir as CertReqMessages)[0]!;
      req.popo!.signature!.signature = new BitString(new Uint8Array(64).fill(1));
    }
    if (opts.transactionID) m.header.transactionID = opts.transactionID.slice().buffer;
    m.header.senderNonce = crypto.getRandomValues(new Uint8Array(16)).buffer;
    return m;
  }
  async function sendRaw(m: PKIMessage): Promise<PKIMessage> {
    const der = protectMessage(m, {
      kind: "pbm",
      secret: new TextEncoder().encode(d.secret),
      senderKID: new TextEncoder().encode(d.kid),
    });
    return decodePKIMessage(await postCmp(`${d.url}/.well-known/cmp`, der)).message;
  }

  it("bad POP -> rejected ip with badPOP", async () => {
    const rsp = await sendRaw(await rawIr({ badPop: true }));
    const s = describeStatus(rsp.body.ip!.response[0]!.status);
    assert.equal(s.statusName, "rejection");
    assert.deepEqual(s.failInfo, ["badPOP"]);
  });

  it("an unsupported key combination -> rejected ip with badAlg naming the algorithm", async () => {
    const m = await rawIr({});
    const req = (m.body.ir as CertReqMessages)[0]!;
    req.certReq.certTemplate.publicKey = new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: "1.3.6.1.5.5.7.6.99" }),
      subjectPublicKey: new Uint8Array(64).fill(7).buffer,
    });
    const rsp = await sendRaw(m);
    const st = describeStatus(rsp.body.ip!.response[0]!.status);
    assert.deepEqual(st.failInfo, ["badAlg"]);
    assert.match(st.statusString.join(" "), /1\.3\.6\.1\.5\.5\.7\.6\.99 is not supported/);
  });

  it("reused transactionID -> transactionIdInUse", async () => {
    const tid = crypto.getRandomValues(new Uint8Array(16));
    const first = await sendRaw(await rawIr({ transactionID: tid }));
    assert.ok(first.body.ip);
    const second = await sendRaw(await rawIr({ transactionID: tid }));
    assert.ok(second.body.error, "an error message");
    assert.deepEqual(describeStatus(second.body.error!.pKIStatusInfo).failInfo, ["transactionIdInUse"]);
  });

  it("replayed message -> badSenderNonce", async () => {
    const m = await rawIr({});
    const der = protectMessage(m, {
      kind: "pbm",
      secret: new TextEncoder().encode(d.secret),
      senderKID: new TextEncoder().encode(d.kid),
    });
    await postCmp(`${d.url}/.well-known/cmp`, der);
    const again = decodePKIMessage(await postCmp(`${d.url}/.well-known/cmp`, der)).message;
    assert.deepEqual(describeStatus(again.body.error!.pKIStatusInfo).failInfo, ["badSenderNonce"]);
  });

  it("malformed DER -> a well-formed, signed error message; the server stays up", async () => {
    for (const junk of [
      Uint8Array.of(0x30, 0x03, 0x02, 0x01),
      Uint8Array.of(1, 2, 3),
      new Uint8Array(500).fill(0x30),
    ]) {
      const rsp = decodePKIMessage(await postCmp(`${d.url}/.well-known/cmp`, junk));
      assert.equal(rsp.bodyType, "error");
      assert.deepEqual(describeStatus(rsp.message.body.error!.pKIStatusInfo).failInfo, ["badDataFormat"]);
      assert.ok(rsp.message.protection, "the error is protected with the CMP signer key");
    }
    const ok = await client(macCred()).getCaCerts();
    assert.equal(ok.length, 2);
  });

  it("unprotected request -> error; a body on the wrong path -> badRequest", async () => {
    const m = new PKIMessage({
      header: buildHeader(),
      body: new PKIBody({ genm: new (await import("../../src/asn1/cmp.js")).InfoTypeAndValues([]) }),
    });
    const rsp = decodePKIMessage(
      await postCmp(`${d.url}/.well-known/cmp`, new Uint8Array(AsnSerializer.serialize(m))),
    );
    assert.deepEqual(describeStatus(rsp.message.body.error!.pKIStatusInfo).failInfo, ["badMessageCheck"]);
    const wrongPath = new CmpClient({
      send: (der) => postCmp(`${d.url}/.well-known/cmp/revocation`, der),
      credential: macCred(),
      trusted,
    });
    const e = await failInfo(wrongPath.getCaCerts());
    assert.deepEqual(e.failInfo, ["badRequest"]);
  });

  it("a certificate whose certConf never comes is revoked after confirmWaitTime", async () => {
    let captured = 0;
    const c = new CmpClient({
      send: async (der, op) => {
        if (++captured === 2) throw new Error("certConf lost"); // the ip arrives, the certConf does not
        return postCmp(cmpUrl(d.url, undefined, op), der);
      },
      credential: macCred(),
      trusted,
    });
    await assert.rejects(
      c.enroll("ir", { subject: "CN=never-confirmed", newKey: generateKeyPair("ec-p256") }),
    );
    const rec = (await d.server.store.findCertificates({ subject: "CN=never-confirmed" }))[0]!;
    assert.equal(rec.status, "unconfirmed");
    assert.deepEqual(
      await d.server.ca.sweep(new Date(Date.now() + 60_000)),
      { revoked: 0 },
      "still within confirmWaitTime",
    );
    const r = await d.server.ca.sweep(new Date(Date.now() + 301_000));
    assert.ok(r.revoked >= 1);
    assert.equal((await d.server.store.getCertificate(rec.issuer, rec.serial))?.status, "revoked");
  });

  it("delayed enrollment: waiting, polling, approval by an operator", async () => {
    const store = await openStore(`sqlite:${d.file("lwcmp.db")}`);
    const progress: number[] = [];
    const c = client(macCred(), { certProfile: "approval", onProgress: (p) => progress.push(p.checkAfter) });
    const pending = c.enroll("ir", { subject: "CN=waiting-1", newKey: generateKeyPair("ec-p256") });
    let id: string | undefined;
    for (let i = 0; i < 50 && !id; i++) {
      await new Promise((r) => setTimeout(r, 100));
      id = (await store.listApprovals("pending"))[0]?.id;
    }
    assert.ok(id, "the request waits for approval");
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await store.decideApproval(id!, "approved", undefined, new Date()), true);
    const r = await pending;
    assert.ok(r.certificate.length > 0);
    assert.ok(progress.length >= 1);
    // A rejected one reports the operator's reason.
    const rejected = client(macCred(), { certProfile: "approval" }).enroll("ir", {
      subject: "CN=waiting-2",
      newKey: generateKeyPair("ec-p256"),
    });
    let id2: string | undefined;
    for (let i = 0; i < 50 && !id2; i++) {
      await new Promise((res) => setTimeout(res, 100));
      id2 = (await store.listApprovals("pending"))[0]?.id;
    }
    await store.decideApproval(id2!, "rejected", "unknown device", new Date());
    const e = await failInfo(rejected);
    assert.match(e.message, /unknown device/);
    await store.close();
  });
});
