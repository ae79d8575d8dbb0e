// `openssl cmp` (the system OpenSSL 3.0) as a real client against the lwcmp CA over HTTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openStore } from "../../src/store/open.js";
import { OPENSSL, openssl } from "../helpers/openssl.js";
import { run, startDemo, type Demo } from "../helpers/demo.js";

const RECIPIENT = "/O=lwcmp demo/CN=Demo Issuing CA";

describe("openssl cmp client -> lwcmp CA", () => {
  let d: Demo;
  const cmp = (args: string[], extra: string[] = []) =>
    run(
      OPENSSL,
      [
        "cmp",
        "-server",
        `127.0.0.1:${d.port}`,
        "-recipient",
        RECIPIENT,
        "-trusted",
        d.file("root-ca.crt"),
        ...args,
        ...extra,
      ],
      {
        cwd: d.dir,
      },
    );
  const newKey = (name: string) => {
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", d.file(name)]);
    return d.file(name);
  };
  const verifyCert = (name: string) => {
    const out = openssl([
      "verify",
      "-CAfile",
      d.file("root-ca.crt"),
      "-untrusted",
      d.file("issuing-ca.crt"),
      d.file(name),
    ]).toString();
    assert.match(out, /: OK/);
  };
  const mac = () => ["-ref", d.kid, "-secret", `pass:${d.secret}`];

  before(async () => {
    d = await startDemo();
  });
  after(() => d.close());

  it("ir with MAC protection, certConf, issued certificate verifies", async () => {
    const r = await cmp([
      "-cmd",
      "ir",
      ...mac(),
      "-newkey",
      newKey("m1.key"),
      "-subject",
      "/CN=openssl-mac",
      "-certout",
      d.file("m1.crt"),
      "-path",
      ".well-known/cmp/p/default/initialization",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /sending CERTCONF/);
    assert.match(r.stdout + r.stderr, /received PKICONF/);
    verifyCert("m1.crt");
  });

  it("ir with an IDevID (manufacturer certificate) signature", async () => {
    const r = await cmp([
      "-cmd",
      "ir",
      "-cert",
      d.file("idevid.crt"),
      "-key",
      d.file("idevid.key"),
      "-extracerts",
      d.file("manufacturer-ca.crt"),
      "-newkey",
      newKey("s1.key"),
      "-subject",
      "/CN=openssl-idevid",
      "-certout",
      d.file("s1.crt"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    verifyCert("s1.crt");
  });

  it("cr with a certificate of this CA", async () => {
    const r = await cmp([
      "-cmd",
      "cr",
      "-cert",
      d.file("s1.crt"),
      "-key",
      d.file("s1.key"),
      "-untrusted",
      d.file("issuing-ca.crt"),
      "-newkey",
      newKey("c1.key"),
      "-subject",
      // RFC 9483 §4.1.2: a cr keeps the subject of the certificate that authorizes it.
      "/CN=openssl-idevid",
      "-certout",
      d.file("c1.crt"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    verifyCert("c1.crt");
  });

  it("kur with implicitConfirm", async () => {
    const r = await cmp([
      "-cmd",
      "kur",
      "-cert",
      d.file("s1.crt"),
      "-key",
      d.file("s1.key"),
      "-untrusted",
      d.file("issuing-ca.crt"),
      "-newkey",
      newKey("k1.key"),
      "-certout",
      d.file("k1.crt"),
      "-implicit_confirm",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /sending CERTCONF/);
    verifyCert("k1.crt");
    const subj = openssl(["x509", "-in", d.file("k1.crt"), "-noout", "-subject"]).toString();
    assert.match(subj, /CN ?= ?openssl-idevid/);
  });

  it("p10cr with MAC protection", async () => {
    openssl(["req", "-new", "-key", newKey("p1.key"), "-subj", "/CN=openssl-p10", "-out", d.file("p1.csr")]);
    const r = await cmp(["-cmd", "p10cr", ...mac(), "-csr", d.file("p1.csr"), "-certout", d.file("p1.crt")]);
    assert.equal(r.code, 0, r.stderr);
    verifyCert("p1.crt");
  });

  it("rr signed with the certificate to revoke; a second rr is refused", async () => {
    const r = await cmp([
      "-cmd",
      "rr",
      "-cert",
      d.file("c1.crt"),
      "-key",
      d.file("c1.key"),
      "-untrusted",
      d.file("issuing-ca.crt"),
      "-oldcert",
      d.file("c1.crt"),
      "-revreason",
      "4",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /revocation accepted/);
    const again = await cmp([
      "-cmd",
      "rr",
      "-cert",
      d.file("c1.crt"),
      "-key",
      d.file("c1.key"),
      "-untrusted",
      d.file("issuing-ca.crt"),
      "-oldcert",
      d.file("c1.crt"),
    ]);
    assert.notEqual(again.code, 0);
  });

  it("genm: signKeyPairTypes and caCerts", async () => {
    const r = await cmp(["-cmd", "genm", ...mac(), "-infotype", "signKeyPairTypes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /signKeyPairTypes/);
    const c = await cmp(["-cmd", "genm", ...mac(), "-infotype", "caCerts"]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout + c.stderr, /caCerts/);
  });

  it("polling: an enrollment waits for approval and openssl polls until it is accepted", async () => {
    const store = await openStore(`sqlite:${d.file("lwcmp.db")}`);
    const approver = (async () => {
      for (let i = 0; i < 100; i++) {
        const pending = await store.listApprovals("pending");
        if (pending[0]) {
          await store.decideApproval(pending[0].id, "approved", undefined, new Date());
          return true;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    })();
    const r = await cmp([
      "-cmd",
      "ir",
      ...mac(),
      "-path",
      ".well-known/cmp/p/approval/initialization",
      "-newkey",
      newKey("w1.key"),
      "-subject",
      "/CN=openssl-waiting",
      "-certout",
      d.file("w1.crt"),
      "-total_timeout",
      "30",
    ]);
    assert.equal(await approver, true);
    await store.close();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /POLLREQ|polling|pollRep|checkAfter/i);
    verifyCert("w1.crt");
  });

  it("a wrong shared secret is answered with badMessageCheck", async () => {
    const r = await cmp([
      "-cmd",
      "ir",
      "-ref",
      d.kid,
      "-secret",
      "pass:not-the-secret",
      "-newkey",
      newKey("x.key"),
      "-subject",
      "/CN=x",
      "-certout",
      d.file("x.crt"),
      "-unprotected_errors",
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /badMessageCheck/);
  });
});
