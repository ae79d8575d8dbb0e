// The lwcmp client against `openssl cmp`'s mock server (`-port`): every operation OpenSSL 3.0 offers there.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InfoTypeAndValue } from "../../src/asn1/cmp.js";
import { AsnParser } from "@peculiar/asn1-schema";
import { CRLStatusListValue } from "../../src/asn1/itav.js";
import { id_it_crlStatusList, id_it_signKeyPairTypes } from "../../src/asn1/oids.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { nameToString } from "../../src/pki/names.js";
import { CmpClient, CmpClientError, type ClientCredential } from "../../src/client/client.js";
import { exportPrivateKeyPem, generateKeyPair, type PrivateKey } from "../../src/crypto/index.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { postCmp } from "../../src/transport/http-client.js";
import { run } from "../helpers/demo.js";
import { openssl, startOpensslMock, tempDir, type OpensslMock } from "../helpers/openssl.js";

describe("lwcmp client -> openssl cmp mock server", () => {
  const dir = tempDir("lwcmp-mock-");
  const f = (n: string) => join(dir.path, n);
  let newKey: PrivateKey;
  let clientKey: PrivateKey;
  let trusted: Uint8Array[];
  let clientCert: Uint8Array;
  let rspCert: Uint8Array;
  const mocks: OpensslMock[] = [];

  before(() => {
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      f("ca.key"),
      "-out",
      f("ca.crt"),
      "-subj",
      "/CN=Mock CA",
      "-days",
      "30",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=keyCertSign,digitalSignature",
    ]);
    writeFileSync(f("ext.cnf"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n");
    const issue = (name: string, key: PrivateKey, cn: string) => {
      writeFileSync(f(`${name}.key`), exportPrivateKeyPem(key));
      openssl(["req", "-new", "-key", f(`${name}.key`), "-subj", `/CN=${cn}`, "-out", f(`${name}.csr`)]);
      openssl([
        "x509",
        "-req",
        "-in",
        f(`${name}.csr`),
        "-CA",
        f("ca.crt"),
        "-CAkey",
        f("ca.key"),
        "-CAcreateserial",
        "-days",
        "10",
        "-out",
        f(`${name}.crt`),
        "-extfile",
        f("ext.cnf"),
      ]);
      return pemBlocks(readFileSync(f(`${name}.crt`), "latin1"))[0]!;
    };
    newKey = generateKeyPair("ec-p256");
    clientKey = generateKeyPair("ec-p256");
    rspCert = issue("ee", newKey, "mock-ee");
    clientCert = issue("client", clientKey, "mock-client");
    trusted = pemBlocks(readFileSync(f("ca.crt"), "latin1"));
  });
  after(async () => {
    for (const m of mocks) await m.stop();
    dir.cleanup();
  });

  const baseArgs = () => [
    "-srv_ref",
    "mock-server",
    "-srv_secret",
    "pass:mock-secret",
    "-srv_cert",
    f("ca.crt"),
    "-srv_key",
    f("ca.key"),
    "-srv_trusted",
    f("ca.crt"),
    "-rsp_cert",
    f("ee.crt"),
    "-rsp_capubs",
    f("ca.crt"),
  ];
  const mac: () => ClientCredential = () => ({
    kind: "mac",
    reference: "client",
    secret: new TextEncoder().encode("mock-secret"),
  });
  const sig: () => ClientCredential = () => ({ kind: "signature", key: clientKey, certificate: clientCert });
  const client = (
    m: OpensslMock,
    credential: ClientCredential,
    extra: Partial<ConstructorParameters<typeof CmpClient>[0]> = {},
  ) =>
    new CmpClient({
      send: (der) => postCmp(m.url, der),
      credential,
      trusted,
      recipient: "CN=Mock CA",
      ...extra,
    });

  let plain: OpensslMock;
  it("starts the mock server", async () => {
    plain = await startOpensslMock(dir.path, baseArgs());
    mocks.push(plain);
  });

  it("ir with MAC protection and certConf", async () => {
    const r = await client(plain, mac()).enroll("ir", { subject: "CN=mock-ee", newKey });
    assert.deepEqual(Buffer.from(r.certificate), Buffer.from(rspCert));
    assert.equal(r.implicitlyConfirmed, false);
    assert.match(plain.log(), /POST \/pkix\//);
  });

  it("ir with signature protection", async () => {
    const r = await client(plain, sig()).enroll("ir", { subject: "CN=mock-ee", newKey });
    assert.deepEqual(Buffer.from(r.certificate), Buffer.from(rspCert));
  });

  it("cr and kur", async () => {
    const cr = await client(plain, sig()).enroll("cr", { subject: "CN=mock-ee", newKey });
    assert.deepEqual(Buffer.from(cr.certificate), Buffer.from(rspCert));
    // The mock server checks oldCertID against its -rsp_cert, so that is the certificate being updated.
    const kur = await client(plain, { kind: "signature", key: newKey, certificate: rspCert }).enroll("kur", {
      newKey,
    });
    assert.deepEqual(Buffer.from(kur.certificate), Buffer.from(rspCert));
  });

  it("p10cr", async () => {
    const csr = pemBlocks(readFileSync(f("ee.csr"), "latin1"))[0]!;
    const r = await client(plain, mac()).p10cr(csr);
    assert.deepEqual(Buffer.from(r.certificate), Buffer.from(rspCert));
  });

  it("rr", async () => {
    const r = await client(plain, sig()).revoke(rspCert, 1);
    assert.match(r.status, /accepted/);
  });

  it("genm", async () => {
    const itavs = await client(plain, mac()).genm([
      new InfoTypeAndValue({ infoType: id_it_signKeyPairTypes }),
    ]);
    assert.ok(itavs.length >= 1);
  });

  it("genm crlStatusList: the request names the recipient as issuer; what the OpenSSL 3.0 mock answers", async () => {
    const sent: Uint8Array[] = [];
    const c = client(plain, mac(), {
      send: (der) => {
        sent.push(der);
        return postCmp(plain.url, der);
      },
    });
    const outcome = await c.getCrls().then(
      (crls) => ({ crls }),
      (e: unknown) => ({ error: e }),
    );
    const itav = decodePKIMessage(sent[0]!).message.body.genm![0]!;
    assert.equal(itav.infoType, id_it_crlStatusList);
    const list = AsnParser.parse(itav.infoValue!, CRLStatusListValue);
    assert.equal(nameToString(list[0]!.source.issuer![0]!.directoryName!), "CN=Mock CA");
    // OpenSSL 3.0's mock server has no CRL support: it echoes the genm's InfoTypeAndValues in the
    // genp, so the answer is a crlStatusList, not the crls RFC 9483 §4.3.4 asks for.
    assert.ok("error" in outcome, "the echoed crlStatusList is not taken for CRLs");
    assert.ok(outcome.error instanceof CmpClientError);
    assert.match(outcome.error.message, /does not answer with crls but with crlStatusList/);
  });

  it("lwcmp genm --infotype crlStatusList: one line asking for --issuer when none is known; the mock's echo refused", async () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "lwcmp.js");
    const args = ["genm", "--infotype", "crlStatusList", "--server", plain.url, "--ref", "client"];
    const lwcmp = (...more: string[]) =>
      run(process.execPath, [bin, ...args, "--secret", "pass:mock-secret", ...more], { timeoutMs: 30_000 });
    const none = await lwcmp();
    assert.equal(none.code, 2, none.stderr);
    const lines = none.stderr.split("\n").filter((l) => l);
    assert.equal(lines.length, 1, none.stderr);
    assert.match(lines[0]!, /no CRL issuer is known .* give --issuer <dn>/);
    const named = await lwcmp("--recipient", "/CN=Mock CA", "--trusted", f("ca.crt"));
    assert.notEqual(named.code, 0);
    assert.match(named.stderr, /does not answer with crls but with crlStatusList/);
  });

  it("a response from a server we do not trust is refused", async () => {
    const other = openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      f("o.key"),
      "-subj",
      "/CN=Other",
      "-days",
      "2",
    ]);
    const c = client(plain, sig(), { trusted: pemBlocks(other.toString("latin1")) });
    await assert.rejects(
      c.enroll("ir", { subject: "CN=mock-ee", newKey }),
      (e: unknown) => e instanceof CmpClientError && /not trusted|none of ours matches/.test(e.message),
    );
  });

  it("implicitConfirm granted by the server", async () => {
    const m = await startOpensslMock(dir.path, [...baseArgs(), "-grant_implicitconf"]);
    mocks.push(m);
    const r = await client(m, mac(), { implicitConfirm: true }).enroll("ir", {
      subject: "CN=mock-ee",
      newKey,
    });
    assert.equal(r.implicitlyConfirmed, true);
    assert.doesNotMatch(m.log(), /certConf/i);
  });

  // RFC 9483 §4.4 against OpenSSL 3.0: its mock server delays only ir / cr / kur / p10cr, with a
  // waiting ip / cp / kup (not an error message); genm, rr and certConf it always answers at once.
  let polling: OpensslMock;
  const noSleep = (sleeps: number[]) => async (ms: number) => void sleeps.push(ms);
  it("polling: the server answers waiting twice, the client polls and gets the certificate", async () => {
    polling = await startOpensslMock(dir.path, [...baseArgs(), "-poll_count", "2", "-check_after", "1"]);
    mocks.push(polling);
    const seen: number[] = [];
    const sleeps: number[] = [];
    const r = await client(polling, mac(), {
      onProgress: (p) => seen.push(p.checkAfter),
      sleep: noSleep(sleeps),
    }).enroll("ir", { subject: "CN=mock-ee", newKey });
    assert.deepEqual(Buffer.from(r.certificate), Buffer.from(rspCert));
    // The waiting ip, then one pollRep with checkAfter 1; the second pollReq gets the ip.
    assert.deepEqual(seen, [1, 1]);
    assert.deepEqual(sleeps, [1000, 1000], "on the injected sleep");
    await new Promise((r) => setTimeout(r, 200)); // the mock's log may lag its last answer
    const posts = polling.log().match(/POST \/pkix\//g) ?? [];
    assert.equal(posts.length, 4, "ir, pollReq, pollReq, certConf");
  });

  it("polling with implicit confirmation and for p10cr", async () => {
    const m = await startOpensslMock(dir.path, [
      ...baseArgs(),
      ...["-poll_count", "1", "-check_after", "1", "-grant_implicitconf"],
    ]);
    mocks.push(m);
    const sleeps: number[] = [];
    const r = await client(m, mac(), { implicitConfirm: true, sleep: noSleep(sleeps) }).enroll("ir", {
      subject: "CN=mock-ee",
      newKey,
    });
    assert.equal(r.implicitlyConfirmed, true);
    assert.deepEqual(sleeps, [1000]);
    const csr = pemBlocks(readFileSync(f("ee.csr"), "latin1"))[0]!;
    const p10 = await client(m, mac(), { implicitConfirm: true, sleep: noSleep(sleeps) }).p10cr(csr);
    assert.deepEqual(Buffer.from(p10.certificate), Buffer.from(rspCert));
    assert.deepEqual(sleeps, [1000, 1000]);
  });

  it("with -poll_count, genm and rr are answered at once by the OpenSSL 3.0 mock", async () => {
    const sleeps: number[] = [];
    const itavs = await client(polling, mac(), { sleep: noSleep(sleeps) }).genm([
      new InfoTypeAndValue({ infoType: id_it_signKeyPairTypes }),
    ]);
    assert.ok(itavs.length >= 1);
    const rr = await client(polling, sig(), { sleep: noSleep(sleeps) }).revoke(rspCert, 1);
    assert.match(rr.status, /accepted/);
    assert.deepEqual(sleeps, [], "nothing was delayed");
  });

  it("server-side rejection is reported with its failInfo", async () => {
    const m = await startOpensslMock(dir.path, [...baseArgs(), "-pkistatus", "2", "-failure", "9"]);
    mocks.push(m);
    await assert.rejects(client(m, mac()).enroll("ir", { subject: "CN=mock-ee", newKey }), (e: unknown) => {
      assert.ok(e instanceof CmpClientError);
      assert.ok(e.failInfo.includes("badPOP"), e.message);
      return true;
    });
  });

  it("an error message from the server is reported", async () => {
    const m = await startOpensslMock(dir.path, [...baseArgs(), "-send_error"]);
    mocks.push(m);
    await assert.rejects(
      client(m, mac()).enroll("ir", { subject: "CN=mock-ee", newKey }),
      /server reported an error/,
    );
  });
});
