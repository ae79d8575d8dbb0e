// The commands `lwcmp demo` prints, run as printed from the folder holding the demo folder: they enroll
// against the demo CA and write every key and certificate below the demo folder, nothing beside it.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  DEMO_EE_DIR,
  demoCommands,
  demoInstructions,
  prepareDemo,
  startRaServer,
  startServer,
  type RunningRa,
  type RunningServer,
} from "../../src/server/index.js";
import { run } from "../helpers/demo.js";
import { tempDir } from "../helpers/openssl.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "lwcmp.js");
const sh = (cmd: string, cwd: string) => run("/bin/sh", ["-c", cmd], { cwd });

describe("lwcmp demo's printed commands", () => {
  const tmp = tempDir("lwcmp-demo-");
  let s: RunningServer;
  let ra: RunningRa;
  let cmds: ReturnType<typeof demoCommands>;
  let text: string;
  before(async () => {
    const { config, raConfig } = prepareDemo(join(tmp.path, ".lwcmp-demo"), { port: 0 });
    s = await startServer(config, { port: 0, log: () => undefined });
    ra = await startRaServer(raConfig!, {
      port: 0,
      log: () => undefined,
      upstreamUrls: { ca: s.url, "ca-nested": s.url },
    });
    cmds = demoCommands(".lwcmp-demo", s.port, ra.port);
    text = demoInstructions(".lwcmp-demo", s.port, s.url, ra.url);
  });
  after(async () => {
    await ra.close();
    await s.close();
    tmp.cleanup();
  });

  it("are printed verbatim", () => {
    for (const c of [
      ...cmds.lwcmp,
      ...cmds.openssl,
      ...cmds.ocsp,
      ...cmds.revocation,
      ...cmds.ra,
      cmds.approvals,
    ])
      assert.ok(text.includes(c), c);
    assert.ok(text.includes(s.url));
  });

  it("enroll with lwcmp, outputs under .lwcmp-demo/ee", async () => {
    // `npm run lwcmp --` is the bin script run by the project's Node.js.
    for (const c of cmds.lwcmp) {
      const r = await sh(c.replace("npm run lwcmp --", `"${process.execPath}" "${BIN}"`), tmp.path);
      assert.equal(r.code, 0, `${c}\n${r.stderr}`);
    }
    const ee = join(tmp.path, ".lwcmp-demo", DEMO_EE_DIR);
    for (const f of ["device-1.key", "device-1.crt", "device-2.crt", "device-1-new.key", "device-1-new.crt"])
      assert.ok(existsSync(join(ee, f)), f);
  });

  it("enroll through the demo RA with openssl cmp (re-protected) and lwcmp (nested)", async () => {
    for (const c of cmds.ra) {
      const r = await sh(c.replace("npm run lwcmp --", `"${process.execPath}" "${BIN}"`), tmp.path);
      assert.equal(r.code, 0, `${c}\n${r.stdout}\n${r.stderr}`);
    }
    const ee = join(tmp.path, ".lwcmp-demo", DEMO_EE_DIR);
    for (const f of ["device-4.crt", "device-5.crt"]) assert.ok(existsSync(join(ee, f)), f);
  });

  it("enroll with openssl cmp, outputs under .lwcmp-demo/ee", async () => {
    for (const c of cmds.openssl) {
      const r = await sh(c, tmp.path);
      assert.equal(r.code, 0, `${c}\n${r.stdout}\n${r.stderr}`);
    }
    assert.ok(existsSync(join(tmp.path, ".lwcmp-demo", DEMO_EE_DIR, "device-3.crt")));
  });

  it("check the openssl-enrolled certificate with openssl ocsp: good, verified", async () => {
    for (const c of cmds.ocsp) {
      const r = await sh(c, tmp.path);
      assert.equal(r.code, 0, `${c}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /device-3\.crt: good/);
      assert.match(r.stderr, /Response verify OK/);
    }
  });

  it("issue certificates naming the CRL download (CDP) and the OCSP responder (AIA)", async () => {
    const r = await sh(
      `openssl x509 -noout -text -in ${join(".lwcmp-demo", DEMO_EE_DIR, "device-3.crt")}`,
      tmp.path,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /CRL Distribution Points:[\s\S]*URI:http:\/\/127\.0\.0\.1:\d+\/crl\/demo-issuing-ca\.crl/,
    );
    assert.match(r.stdout, /OCSP - URI:http:\/\/127\.0\.0\.1:\d+\/ocsp/);
    assert.match(r.stdout, /CA Issuers - URI:http:\/\/127\.0\.0\.1:\d+\/ca\/demo-issuing-ca\.crt/);
  });

  it("revoke it with lwcmp certs revoke: the downloaded CRL and openssl ocsp say revoked", async () => {
    const [revoke, download, verify] = cmds.revocation;
    const rv = await sh(revoke!.replace("npm run lwcmp --", `"${process.execPath}" "${BIN}"`), tmp.path);
    assert.equal(rv.code, 0, `${revoke}\n${rv.stderr}`);
    assert.match(rv.stdout, /revoked \(keyCompromise\); CRL \d+ \(1 entries\) published/);
    const dl = await sh(download!, tmp.path);
    assert.equal(dl.code, 0, `${download}\n${dl.stderr}`);
    const v = await sh(verify!, tmp.path);
    assert.notEqual(v.code, 0, `${verify}\n${v.stdout}`);
    assert.match(v.stdout + v.stderr, /certificate revoked/);
    for (const c of cmds.ocsp) {
      const r = await sh(c, tmp.path);
      assert.equal(r.code, 0, `${c}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /device-3\.crt: revoked/);
      assert.match(r.stdout, /Reason: keyCompromise/);
      assert.match(r.stderr, /Response verify OK/);
    }
  });

  it("list approvals", async () => {
    const r = await sh(
      cmds.approvals.replace("npm run lwcmp --", `"${process.execPath}" "${BIN}"`),
      tmp.path,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no requests are waiting/);
  });

  it("leave nothing beside the demo folder", () => {
    assert.deepEqual(readdirSync(tmp.path), [".lwcmp-demo"]);
  });
});
