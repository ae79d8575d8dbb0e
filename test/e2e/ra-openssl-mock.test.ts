// The lwcmp RA (over HTTP) with `openssl cmp`'s mock server (`-port`, OpenSSL 3.0) as its upstream: an ir
// forwarded unchanged (the mock checks the EE's MAC), one re-protected (the mock checks the RA), and refusals.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { buildDemoPki } from "../../src/ca/demo.js";
import { CmpClient, CmpClientError, type ClientCredential } from "../../src/client/client.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectionKind } from "../../src/cmp/protection-kind.js";
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem } from "../../src/crypto/index.js";
import { nameToString } from "../../src/pki/names.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { startRaServer, type RunningRa } from "../../src/server/index.js";
import { postCmp } from "../../src/transport/http-client.js";
import { openssl, startOpensslMock, tempDir, type OpensslMock } from "../helpers/openssl.js";

const CA_NAME = "CN=Demo Issuing CA,O=lwcmp demo";
const CANNED_SUBJECT = "CN=canned-ee,O=openssl mock";
const CANNED_SERIAL = 0x4242;

describe("lwcmp RA -> openssl cmp mock server (OpenSSL 3.0) as upstream", () => {
  const dir = tempDir("lwcmp-ra-mock-");
  const f = (n: string) => join(dir.path, n);
  const demo = buildDemoPki();
  const demoFile = (n: string) => demo.files.find((x) => x.name === n)!.content;
  const newKey = generateKeyPair("ec-p256");
  const mocks: Record<string, OpensslMock> = {};
  let ra: RunningRa;
  let canned: Uint8Array;

  before(async () => {
    for (const file of demo.files) writeFileSync(f(file.name), file.content);
    // The mock's canned certificate (-rsp_cert): the key the EE asks to certify, under the demo issuing CA.
    writeFileSync(f("ee.key"), exportPrivateKeyPem(newKey));
    openssl([
      "req",
      "-new",
      "-key",
      f("ee.key"),
      "-subj",
      "/O=openssl mock/CN=canned-ee",
      "-out",
      f("ee.csr"),
    ]);
    openssl([
      ...["x509", "-req", "-in", f("ee.csr"), "-CA", f("issuing-ca.crt"), "-CAkey", f("issuing-ca.key")],
      ...["-set_serial", String(CANNED_SERIAL), "-days", "10", "-out", f("ee.crt")],
    ]);
    canned = pemBlocks(readFileSync(f("ee.crt"), "latin1"))[0]!;

    // What the OpenSSL 3.0 mock needs: -rsp_cert, and -srv_secret with -srv_ref (its senderKID) or
    // -srv_cert/-srv_key to protect its answers; it verifies MAC requests with -srv_secret (whatever their
    // senderKID) and signed ones against -srv_trusted (chain from extraCerts); it does not check the recipient.
    const rsp = ["-rsp_cert", f("ee.crt")];
    const signer = (cert: string, key: string) => [
      "-srv_cert",
      f(cert),
      "-srv_key",
      f(key),
      "-srv_untrusted",
      f("issuing-ca.crt"),
    ];
    // -verbosity 7 logs each message the mock received and sent.
    const start = (args: string[]) => startOpensslMock(dir.path, [...rsp, "-verbosity", "7", ...args]);
    // forward: the EE's MAC reaches the mock unchanged, so the mock holds the EE's secret. Without
    // -srv_trusted it cannot verify signatures: a request re-protected by the RA would be refused.
    mocks.fwd = await start(["-srv_ref", "mock", "-srv_secret", `pass:${demo.secret}`]);
    // reprotect: the mock signs as the demo CMP signer and trusts the demo root, which the RA's signer
    // chains to but the EE's IDevID does not; without -srv_secret it refuses MAC-protected requests.
    mocks.rp = await start([...signer("cmp-signer.crt", "cmp-signer.key"), "-srv_trusted", f("root-ca.crt")]);
    // It trusts only the manufacturer root, not the RA's signer.
    mocks.distrust = await start([
      ...signer("cmp-signer.crt", "cmp-signer.key"),
      ...["-srv_trusted", f("manufacturer-ca.crt")],
    ]);
    // It trusts the RA but signs with the IDevID, which the RA does not trust for this upstream.
    mocks.untrusted = await start([...signer("idevid.crt", "idevid.key"), "-srv_trusted", f("root-ca.crt")]);

    const upstreams = Object.entries(mocks)
      .map(([name, m]) => `    ${name}: { url: "${m.url}", recipient: "${CA_NAME}", trust: [root-ca.crt] }`)
      .join("\n");
    const profiles = Object.keys(mocks)
      .map(
        (name) =>
          `    ${name}: { default: { mode: ${name === "fwd" ? "forward" : "reprotect"}, upstream: ${name} } }`,
      )
      .join("\n");
    writeFileSync(
      f("ra.yaml"),
      `store: sqlite:ra.db
sharedSecrets:
  - { kid: ${demo.kid}, secret: file:${demo.kid}.secret }
ra:
  signer: { certificate: ra-signer.crt, key: ra-signer.key, chain: [issuing-ca.crt, root-ca.crt] }
  trust: { issuing: [issuing-ca.crt], external: [manufacturer-ca.crt] }
  upstreams:
${upstreams}
  defaultProfile: fwd
  profiles:
${profiles}
`,
    );
    ra = await startRaServer(f("ra.yaml"), { port: 0, log: () => undefined });
  });
  after(async () => {
    await ra?.close();
    for (const m of Object.values(mocks)) await m.stop();
    dir.cleanup();
  });

  /** The EE (lwcmp client) on the RA's profile `profile`; `answers` collects what the RA sends back. */
  const ee = (profile: string, credential: ClientCredential, answers: Uint8Array[] = []) =>
    new CmpClient({
      send: async (der) => {
        const a = await postCmp(`${ra.url}/p/${profile}`, der);
        answers.push(a);
        return a;
      },
      credential,
      trusted: pemBlocks(demoFile("root-ca.crt")),
      untrusted: pemBlocks(demoFile("issuing-ca.crt")),
      recipient: CA_NAME,
    });
  const mac: ClientCredential = {
    kind: "mac",
    reference: demo.kid,
    secret: new TextEncoder().encode(demo.secret),
  };
  const idevid = (): ClientCredential => {
    const [certificate, ...chain] = pemBlocks(demoFile("idevid-chain.crt"));
    return {
      kind: "signature",
      key: importPrivateKeyPem(demoFile("idevid.key")),
      certificate: certificate!,
      chain,
    };
  };
  const enroll = (c: CmpClient) => c.enroll("ir", { subject: "CN=lwcmp-ee", newKey });
  const assertCanned = (cert: Uint8Array) => {
    assert.deepEqual(Buffer.from(cert), Buffer.from(canned));
    const tbs = AsnParser.parse(cert, Certificate).tbsCertificate;
    assert.equal(nameToString(tbs.subject), CANNED_SUBJECT);
    assert.equal(Buffer.from(tbs.serialNumber).toString("hex"), CANNED_SERIAL.toString(16));
  };
  /** Whether the mock's log comes to match `re` (it may lag the mock's answer a little). */
  const logged = async (m: OpensslMock, re: RegExp) => {
    for (let i = 0; i < 40 && !re.test(m.log()); i++) await new Promise((r) => setTimeout(r, 25));
    assert.match(m.log(), re);
  };
  const IR_AND_CERTCONF = /received IR[\s\S]*sending IP[\s\S]*received CERTCONF[\s\S]*sending PKICONF/;

  it("forward: the EE's MAC-protected ir and certConf reach the mock unchanged; the EE gets the canned certificate", async () => {
    const answers: Uint8Array[] = [];
    const r = await enroll(ee("fwd", mac, answers));
    assertCanned(r.certificate);
    assert.equal(r.implicitlyConfirmed, false);
    await logged(mocks.fwd!, IR_AND_CERTCONF);
    // The mock's own answer as it protected it: MAC with the EE's secret, its -srv_ref as senderKID.
    const ip = decodePKIMessage(answers[0]!).message;
    assert.ok(ip.body.ip);
    assert.equal(protectionKind(ip.header), "pbm");
    assert.equal(Buffer.from(ip.header.senderKID!).toString(), "mock");
    assert.equal(decodePKIMessage(answers[1]!).bodyType, "pkiconf");
  });

  it("reprotect: the RA signs the IDevID's ir and certConf for the mock, and its answers for the EE", async () => {
    const answers: Uint8Array[] = [];
    const r = await enroll(ee("rp", idevid(), answers));
    assertCanned(r.certificate);
    await logged(mocks.rp!, IR_AND_CERTCONF);
    // The EE gets the mock's ip re-protected by the RA.
    const ip = decodePKIMessage(answers[0]!).message;
    assert.equal(protectionKind(ip.header), "signature");
    assert.equal(nameToString(ip.header.sender.directoryName!), "CN=Demo RA,O=lwcmp demo");
  });

  it("a mock that does not trust the RA's signer refuses the ir; the RA passes its error to the EE", async () => {
    await assert.rejects(enroll(ee("distrust", mac)), (e: unknown) => {
      assert.ok(e instanceof CmpClientError, String(e));
      assert.deepEqual(e.failInfo, ["badRequest"]);
      // OpenSSL's words for a signer it cannot chain to its -srv_trusted.
      assert.match(e.message, /server reported an error.*no suitable sender cert/);
      return true;
    });
    await logged(
      mocks.distrust!,
      /matches msg sender\s+= \/O=lwcmp demo\/CN=Demo RA[\s\S]*certificate verification failed/,
    );
  });

  it("an answer signed by a certificate the RA does not trust for the upstream: the EE gets the RA's error", async () => {
    await assert.rejects(enroll(ee("untrusted", mac)), (e: unknown) => {
      assert.ok(e instanceof CmpClientError, String(e));
      assert.deepEqual(e.failInfo, ["signerNotTrusted"]);
      assert.match(
        e.message,
        /upstream untrusted: the server's certificate is not trusted: no path from "CN=Device 0001/,
      );
      return true;
    });
    await logged(mocks.untrusted!, /received IR[\s\S]*sending IP/);
  });
});
