// `openssl cmp` (the system OpenSSL 3.0) -> lwcmp RA -> lwcmp CA over HTTP, in each forwarding mode
// (RFC 9483 §5.2), and through two RAs (LRA -> RA -> CA); every issued certificate checked with openssl verify.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { startRaServer, type RunningRa } from "../../src/server/index.js";
import { openStore } from "../../src/store/open.js";
import { OPENSSL, openssl } from "../helpers/openssl.js";
import {
  opensslIdevidArgs,
  opensslMacArgs,
  opensslVerifyIssued,
  run,
  startDemo,
  type Demo,
} from "../helpers/demo.js";

const RECIPIENT = "/O=lwcmp demo/CN=Demo Issuing CA";

/** An RA from the demo's ra.yaml with `mode`, upstream `upstreamUrl`, its own store file. */
async function startRa(
  d: Demo,
  name: string,
  mode: string,
  upstreamUrl: string,
  trustRa = false,
): Promise<RunningRa> {
  let yaml = d.read("ra.yaml");
  yaml = yaml.replace(/url: http:\/\/[^\n]+/, `url: ${upstreamUrl}`);
  yaml = yaml.replace("store: sqlite:ra.db", `store: sqlite:${name}.db`);
  yaml = yaml.replace("mode: reprotect", `mode: ${mode}`);
  if (trustRa)
    yaml = yaml.replace(
      "external: [manufacturer-ca.crt]",
      "external: [manufacturer-ca.crt]\n    ras: [ra-signer.crt]",
    );
  writeFileSync(d.file(`${name}.yaml`), yaml);
  return startRaServer(d.file(`${name}.yaml`), { port: 0, log: () => undefined });
}

function suite(title: string, setup: (d: Demo) => Promise<RunningRa[]>) {
  describe(title, () => {
    let d: Demo;
    let ras: RunningRa[];
    let port = 0;
    const cmp = (args: string[]) =>
      run(
        OPENSSL,
        [
          "cmp",
          "-server",
          `127.0.0.1:${port}`,
          "-recipient",
          RECIPIENT,
          "-trusted",
          d.file("root-ca.crt"),
          ...args,
        ],
        {
          cwd: d.dir,
        },
      );
    const newKey = (name: string) => {
      openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", d.file(name)]);
      return d.file(name);
    };
    const verifyCert = (name: string) => opensslVerifyIssued(d, d.file(name));
    const mac = () => opensslMacArgs(d);
    const signed = (cert: string, key: string) => [
      "-cert",
      d.file(cert),
      "-key",
      d.file(key),
      "-untrusted",
      d.file("issuing-ca.crt"),
    ];

    before(async () => {
      d = await startDemo();
      ras = await setup(d);
      port = ras[0]!.port;
    });
    after(async () => {
      for (const r of ras) await r.close();
      await d.close();
    });

    it("ir with MAC protection and certConf", async () => {
      const r = await cmp([
        "-cmd",
        "ir",
        ...mac(),
        "-newkey",
        newKey("m1.key"),
        "-subject",
        "/CN=ra-mac",
        "-certout",
        d.file("m1.crt"),
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout + r.stderr, /received PKICONF/);
      verifyCert("m1.crt");
    });

    it("ir with an IDevID signature", async () => {
      const r = await cmp([
        "-cmd",
        "ir",
        ...opensslIdevidArgs(d),
        "-newkey",
        newKey("s1.key"),
        "-subject",
        "/CN=ra-idevid",
        "-certout",
        d.file("s1.crt"),
      ]);
      assert.equal(r.code, 0, r.stderr);
      verifyCert("s1.crt");
    });

    it("cr, kur (implicitConfirm), p10cr, genm caCerts", async () => {
      const cr = await cmp([
        "-cmd",
        "cr",
        ...signed("s1.crt", "s1.key"),
        "-newkey",
        newKey("c1.key"),
        "-subject",
        "/CN=ra-idevid",
        "-certout",
        d.file("c1.crt"),
      ]);
      assert.equal(cr.code, 0, cr.stderr);
      verifyCert("c1.crt");
      const kur = await cmp([
        "-cmd",
        "kur",
        ...signed("s1.crt", "s1.key"),
        "-newkey",
        newKey("k1.key"),
        "-certout",
        d.file("k1.crt"),
        "-implicit_confirm",
      ]);
      assert.equal(kur.code, 0, kur.stderr);
      verifyCert("k1.crt");
      openssl(["req", "-new", "-key", newKey("p1.key"), "-subj", "/CN=ra-p10", "-out", d.file("p1.csr")]);
      const p10 = await cmp([
        "-cmd",
        "p10cr",
        ...mac(),
        "-csr",
        d.file("p1.csr"),
        "-certout",
        d.file("p1.crt"),
      ]);
      assert.equal(p10.code, 0, p10.stderr);
      verifyCert("p1.crt");
      const genm = await cmp(["-cmd", "genm", ...mac(), "-infotype", "caCerts"]);
      assert.equal(genm.code, 0, genm.stderr);
      assert.match(genm.stdout + genm.stderr, /caCerts/);
    });

    it("rr by the holder; the revoked certificate is refused a second time", async () => {
      const rr = await cmp([
        "-cmd",
        "rr",
        ...signed("c1.crt", "c1.key"),
        "-oldcert",
        d.file("c1.crt"),
        "-revreason",
        "1",
      ]);
      assert.equal(rr.code, 0, rr.stderr);
      assert.match(rr.stdout + rr.stderr, /revocation accepted/);
      const again = await cmp([
        "-cmd",
        "rr",
        ...signed("m1.crt", "m1.key"),
        "-oldcert",
        d.file("c1.crt"),
        "-revreason",
        "1",
      ]);
      assert.notEqual(again.code, 0);
    });

    it("an enrollment the CA holds for approval: the EE polls through the RA", async () => {
      const store = await openStore(`sqlite:${d.file("lwcmp.db")}`);
      const approver = (async () => {
        for (let i = 0; i < 100; i++) {
          const pending = await store.listApprovals("pending");
          if (pending[0]) return store.decideApproval(pending[0].id, "approved", undefined, new Date());
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
        "/CN=ra-waiting",
        "-certout",
        d.file("w1.crt"),
        "-total_timeout",
        "30",
      ]);
      const decided = await approver;
      await store.close();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(decided, true);
      assert.match(r.stdout + r.stderr, /POLLREQ|polling|pollRep|checkAfter/i);
      verifyCert("w1.crt");
    });

    it("a wrong shared secret is refused by the RA (badMessageCheck)", async () => {
      const r = await cmp([
        "-cmd",
        "ir",
        "-ref",
        d.kid,
        "-secret",
        "pass:wrong",
        "-newkey",
        newKey("x.key"),
        "-subject",
        "/CN=x",
        "-certout",
        d.file("x.crt"),
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /badMessageCheck/);
    });
  });
}

const caUrl = (d: Demo) => `${d.url}/.well-known/cmp`;
for (const mode of ["reprotect", "forward", "raverified", "nest"]) {
  suite(`openssl cmp -> lwcmp RA (${mode}) -> lwcmp CA`, async (d) => [
    await startRa(d, `ra-${mode}`, mode, caUrl(d)),
  ]);
}
suite("openssl cmp -> lwcmp LRA (reprotect) -> lwcmp RA (reprotect) -> lwcmp CA", async (d) => {
  const ra = await startRa(d, "ra-central", "reprotect", caUrl(d), true);
  const lra = await startRa(d, "lra", "reprotect", ra.url);
  return [lra, ra];
});
