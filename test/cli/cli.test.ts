// The lwcmp command as users run it: msg show, errors in plain words, the Node.js version check, serve and demo.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { describe, it, after } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { run } from "../helpers/demo.js";
import { tempDir } from "../helpers/openssl.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "lwcmp.js");
const FIX = join(ROOT, "test", "fixtures", "openssl");
const lwcmp = (...args: string[]) => run(process.execPath, [BIN, ...args]);

describe("lwcmp msg show", () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it("prints a readable view of an ir", async () => {
    const r = await lwcmp("msg", "show", join(FIX, "ir-pbm.der"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /bodyType: ir/);
    assert.match(r.stdout, /protectionAlg: PasswordBasedMac/);
    assert.match(r.stdout, /iterationCount: 500/);
    assert.match(r.stdout, /subject: CN=Fixture New/);
    assert.match(r.stdout, /popo: signature \(ecdsa-with-SHA256\)/);
  });

  it("prints stable JSON, reads PEM and base64 too", async () => {
    const j = await lwcmp("msg", "show", "--json", join(FIX, "error-pbm.der"));
    const d = JSON.parse(j.stdout) as { bodyType: string; body: { status: { status: string } } };
    assert.equal(d.bodyType, "error");
    assert.equal(d.body.status.status, "rejection");
    const { readFileSync } = await import("node:fs");
    const der = readFileSync(join(FIX, "rp-sig.der"));
    writeFileSync(
      join(dir.path, "m.pem"),
      `-----BEGIN CMP MESSAGE-----\n${der.toString("base64")}\n-----END CMP MESSAGE-----\n`,
    );
    writeFileSync(join(dir.path, "m.b64"), der.toString("base64"));
    for (const f of ["m.pem", "m.b64"]) {
      const r = await lwcmp("msg", "show", "--json", join(dir.path, f));
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { bodyType: string }).bodyType, "rp");
    }
  });

  it("reports malformed input in plain words, without a stack trace", async () => {
    writeFileSync(join(dir.path, "junk.der"), Buffer.from([0x30, 0x05, 0x01]));
    const r = await lwcmp("msg", "show", join(dir.path, "junk.der"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /malformed PKIMessage/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const missing = await lwcmp("msg", "show", join(dir.path, "nope.der"));
    assert.match(missing.stderr, /cannot read/);
  });
});

describe("Node.js version check", () => {
  it("says clearly when the Node.js running it is too old", async () => {
    const sys = await run("/usr/bin/node", ["--version"]);
    if (sys.code !== 0 || Number(sys.stdout.slice(1).split(".")[0]) >= 24) {
      // The machine's own Node.js is new enough: fake an old one with the same script.
      const r = await run(process.execPath, [
        "-e",
        `Object.defineProperty(process.versions, "node", { value: "20.0.0" }); process.env.LWCMP_NO_REEXEC = "1"; await import(${JSON.stringify(BIN)});`,
        "--input-type=module",
      ]);
      assert.match(r.stderr, /too old; lwcmp needs Node\.js 24/);
      return;
    }
    const r = await run("/usr/bin/node", [BIN, "--version"], {
      env: { ...process.env, LWCMP_NO_REEXEC: "1" },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Node\.js v?\d+\.\d+\.\d+ is too old; lwcmp needs Node\.js 24/);
    const viaBundled = await run("/usr/bin/node", [BIN, "--version"]);
    assert.equal(viaBundled.code, 0, viaBundled.stderr);
    assert.match(viaBundled.stdout, /0\.1\.0/);
    // Node's own flags reach the bundled Node: a preload given with --import runs in both.
    const tmp = tempDir();
    try {
      const mark = join(tmp.path, "node-versions.txt");
      const preload = join(tmp.path, "mark.mjs");
      writeFileSync(
        preload,
        `import { appendFileSync } from "node:fs"; appendFileSync(${JSON.stringify(mark)}, process.versions.node + "\\n");`,
      );
      const flagged = await run("/usr/bin/node", ["--import", pathToFileURL(preload).href, BIN, "--version"]);
      assert.equal(flagged.code, 0, flagged.stderr);
      assert.ok(
        readFileSync(mark, "utf8")
          .split("\n")
          .some((v) => Number(v.split(".")[0]) >= 24),
        "the flag reached Node 24",
      );
    } finally {
      tmp.cleanup();
    }
  });
});

describe("lwcmp serve and lwcmp demo", () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it("refuses a configuration without a ca section in one line", async () => {
    const file = join(dir.path, "ra.yaml");
    writeFileSync(file, "server:\n  port: 0\nstore: sqlite:ra.db\n");
    const r = await lwcmp("serve", "--config", file);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.startsWith(`lwcmp: configuration ${file} has no \`ca\` section: `), r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1);
    assert.match(r.stderr, /needs ca\.certificate and ca\.key/);
  });

  it("demo serves, prints commands that write below the demo folder, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "demo", "--dir", "d", "--port", "0"], { cwd: dir.path });
    let out = "";
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = new Promise<string>((resolve) => child.on("exit", (c, sig) => resolve(`${c} ${sig}`)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no instructions within 20 s:\n${out}`)), 20_000);
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("Stop with Ctrl-C.")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGTERM");
    assert.equal(await code, "0 null", err);
    assert.match(out, /lwcmp demo CA listening on http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp/);
    assert.match(out, /--newkeyout d\/ee\/device-1\.key --certout d\/ee\/device-1\.crt/);
    assert.match(out, /-out d\/ee\/device-3\.key/);
    assert.doesNotMatch(out, /(out|-newkey|--cert|--key) device-/);
    assert.ok(existsSync(join(dir.path, "d", "ee")));
    assert.ok(existsSync(join(dir.path, "d", "lwcmp.yaml")));
  });
});
