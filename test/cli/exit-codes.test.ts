// The lwcmp command's exit codes and one-line failures, run as users run it (bin/lwcmp.js in a child
// process) against a demo CA in this process: usage errors, refusals, wrong secrets, transport failures,
// deadlines, config check and serve, typed SANs, help texts, and signals through the Node version wrapper.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AsnParser } from "@peculiar/asn1-schema";
import { SubjectAlternativeName } from "@peculiar/asn1-x509";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { initDemo } from "../../src/server/index.js";
import { run, startDemo, type Demo } from "../helpers/demo.js";
import { tempDir } from "../helpers/openssl.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "lwcmp.js");
const FIX = join(ROOT, "test", "fixtures", "openssl");
const lwcmp = (...args: string[]) => run(process.execPath, [BIN, ...args], { timeoutMs: 30_000 });

/** stderr without the note about an unsaved generated key: the lines that report the failure. */
const failure = (stderr: string) => stderr.split("\n").filter((l) => l && !l.startsWith("note:"));

function listen(s: Server): Promise<number> {
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
}

describe("lwcmp exit codes", () => {
  let d: Demo;
  let silent: Server;
  let silentPort: number;
  before(async () => {
    d = await startDemo();
    silent = createServer(() => undefined); // accepts connections, never answers
    silentPort = await listen(silent);
  });
  after(async () => {
    silent.close();
    await d.close();
  });
  const mac = () => ["--ref", d.kid, "--secret", `file:${d.file("demo-ee.secret")}`];
  const server = () => ["--server", `127.0.0.1:${d.port}`];

  it("2 for bad values, each named in one line", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["rr", "--revreason", "banana"],
        /--revreason <reason>' argument 'banana' is invalid\. not a CRLReason/,
      ],
      [["ir", "--days", "abc"], /--days <n>' argument 'abc' is invalid/],
      [["ir", "--total-timeout", "xyz"], /--total-timeout <seconds>' argument 'xyz' is invalid/],
      [["ir", "--newkeytype", "ec-p999"], /unknown key type/],
      [["ir", "--san", "bad name"], /"bad name" is not a DNS name/],
      [["genm", "--infotype", "nothing"], /Allowed choices are caCerts, rootCaCert/],
      [["serve", "--config", "x", "--port", "70000"], /a whole number from 0 to 65535/],
    ];
    for (const [args, re] of cases) {
      const r = await lwcmp(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr.split("\n")[0]!, re);
    }
  });

  it("2 for a missing secret file, in plain words", async () => {
    const r = await lwcmp("ir", ...server(), "--ref", d.kid, "--secret", "file:/nonexistent/x.secret");
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(failure(r.stderr), [
      "lwcmp: cannot read secret file /nonexistent/x.secret: ENOENT (no such file or folder)",
    ]);
  });

  it("0 for an enrollment with --server host:port; 1 when the server refuses", async () => {
    const ok = await lwcmp("ir", ...server(), ...mac(), "--subject", "/CN=exit-0", "--newkeytype", "ec-p256");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^enrolled: subject "CN=exit-0"/);
    const refused = await lwcmp(
      "ir",
      ...server(),
      ...mac(),
      "--subject",
      "/O=no-cn",
      "--newkeytype",
      "ec-p256",
    );
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(failure(refused.stderr)[0]!, /^lwcmp: enrollment refused: rejection \(badCertTemplate\)/);
  });

  it("1 with a plain explanation for a wrong shared secret, with and without --trusted", async () => {
    for (const trusted of [[], ["--trusted", d.file("root-ca.crt")]]) {
      const r = await lwcmp(
        "ir",
        ...server(),
        "--ref",
        d.kid,
        "--secret",
        "pass:wrong",
        "--subject",
        "/CN=w",
        ...trusted,
      );
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(failure(r.stderr), [
        `lwcmp: the server could not verify the MAC of our request (badMessageCheck): the shared secret (--secret) or its reference (--ref ${d.kid}) is not what the server holds; check both`,
      ]);
    }
  });

  it("1 with a plain explanation when the answer's MAC does not verify with our secret", async () => {
    const r = await lwcmp(
      "ir",
      "--rspin",
      join(FIX, "ip-pbm.der"),
      "--ref",
      "fixture",
      "--secret",
      "pass:not-the-fixture-secret",
      "--subject",
      "/CN=x",
      "--newkeytype",
      "ec-p256",
    );
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(failure(r.stderr), [
      "lwcmp: the MAC of the server's answer does not verify with our shared secret: --secret differs from the server's secret for --ref fixture; check the secret",
    ]);
  });

  it("3 for an unreachable server and a silent one; --total-timeout bounds the wait", async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    const r = await lwcmp("genm", "--server", `127.0.0.1:${closedPort}`, ...mac(), "--infotype", "caCerts");
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^lwcmp: cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED.*; check --server and that the CA is running\n$/,
    );
    const started = Date.now();
    const t = await lwcmp(
      "genm",
      "--server",
      `127.0.0.1:${silentPort}`,
      ...mac(),
      "--infotype",
      "caCerts",
      "--total-timeout",
      "1",
    );
    assert.equal(t.code, 3, t.stderr);
    assert.equal(
      t.stderr,
      "lwcmp: --total-timeout 1 s reached (waiting for the server's answer); try again later or allow more time\n",
    );
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    const m = await lwcmp(
      "genm",
      "--server",
      `127.0.0.1:${silentPort}`,
      ...mac(),
      "--infotype",
      "caCerts",
      "--msg-timeout",
      "0.5",
    );
    assert.equal(m.code, 3, m.stderr);
    assert.match(
      m.stderr,
      /no answer from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp\/getcacerts within --msg-timeout 0\.5 s/,
    );
  });

  it("3 when --total-timeout ends while polling for an approval", async () => {
    const started = Date.now();
    const r = await lwcmp(
      "ir",
      ...server(),
      ...mac(),
      "--profile",
      "approval",
      "--subject",
      "/CN=waits",
      "--newkeytype",
      "ec-p256",
      "--total-timeout",
      "2",
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^waiting: next poll in \d+ s/m);
    assert.match(r.stderr, /lwcmp: --total-timeout 2 s reached \(the server still says waiting\)/);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it("sends typed subjectAltNames: DNS, IP, e-mail and URI", async () => {
    const req = d.file("san-ir.der");
    const r = await lwcmp(
      "ir",
      ...server(),
      ...mac(),
      "--subject",
      "/CN=sans",
      "--newkeytype",
      "ec-p256",
      "--san",
      "a.example,10.0.0.1,user@example.com,https://x.example/",
      "--san",
      "2001:db8::1",
      "--reqout",
      req,
    );
    // The demo profile allows DNS names only: the CA refuses, the request shows what was asked.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /subjectAltName entry is not allowed/);
    const ir = decodePKIMessage(new Uint8Array(readFileSync(req))).message.body.ir!;
    const ext = ir[0]!.certReq.certTemplate.extensions!.find((e) => e.extnID === "2.5.29.17")!;
    const san = AsnParser.parse(ext.extnValue.buffer, SubjectAlternativeName);
    assert.deepEqual(
      [...san].map((n) => n.dNSName ?? n.iPAddress ?? n.rfc822Name ?? n.uniformResourceIdentifier),
      ["a.example", "10.0.0.1", "user@example.com", "https://x.example/", "2001:db8::1"],
    );
    assert.deepEqual(
      [...san].map((n) => Object.keys(n).find((k) => n[k as keyof typeof n] !== undefined)),
      ["dNSName", "iPAddress", "rfc822Name", "uniformResourceIdentifier", "iPAddress"],
    );
  });

  it("config check: ok and 0, or one line per problem and 2; serve refuses with the same lines", async () => {
    const ok = await lwcmp("config", "check", d.file("lwcmp.yaml"));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "ok\n");
    const bad = d.file("bad.yaml");
    writeFileSync(
      bad,
      d
        .read("lwcmp.yaml")
        .replace("[clientAuth]", "[clientauth]")
        .replace("key: cmp-signer.key", "key: kga.key"),
    );
    const check = await lwcmp("config", "check", bad);
    assert.equal(check.code, 2, check.stderr);
    assert.equal(check.stdout, "");
    const lines = check.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, check.stderr);
    assert.match(
      lines[0]!,
      /^lwcmp: .*bad\.yaml: profiles\.default\.extendedKeyUsage\.0: unknown extended key usage "clientauth"/,
    );
    writeFileSync(bad, d.read("lwcmp.yaml").replace("key: cmp-signer.key", "key: kga.key"));
    const keyCheck = await lwcmp("config", "check", bad);
    assert.equal(keyCheck.code, 2);
    assert.equal(
      keyCheck.stderr,
      `lwcmp: ${bad}: ca.cmpSigner.key: kga.key is not the key of cmp-signer.crt (their public keys differ)\n`,
    );
    const serve = await lwcmp("serve", "--config", bad, "--port", "0");
    assert.equal(serve.code, 2);
    assert.equal(serve.stderr, keyCheck.stderr);
  });

  it("3 and one line for serve on a busy port", async () => {
    const r = await lwcmp("serve", "--config", d.file("lwcmp.yaml"), "--port", String(d.port));
    assert.equal(r.code, 3, r.stderr);
    assert.equal(
      r.stderr,
      `lwcmp: cannot listen on 127.0.0.1:${d.port}: the port is in use; stop the other server or choose another port (--port or server.port)\n`,
    );
  });

  it("--help lists key types, CRLReasons, infotypes and the exit codes", async () => {
    const ir = await lwcmp("ir", "--help");
    assert.equal(ir.code, 0);
    assert.match(
      ir.stdout,
      /Key types \(--newkeytype\):\n\s+rsa, rsa-pss, ec-p256, ec-p384, ec-p521, ed25519/,
    );
    assert.match(ir.stdout, /ml-kem-768/);
    assert.match(ir.stdout, /composite:NAME with NAME one of mldsa44-rsa2048-pss-sha256/);
    const rr = await lwcmp("rr", "--help");
    assert.match(
      rr.stdout.replace(/\s+/g, " "),
      /0 unspecified, 1 keyCompromise, .* 8 removeFromCRL, 9 privilegeWithdrawn, 10 aACompromise/,
    );
    const genm = await lwcmp("genm", "--help");
    assert.match(
      genm.stdout.replace(/\s+/g, " "),
      /choices: "caCerts", "rootCaCert", "certReqTemplate", "crlStatusList"/,
    );
    const top = await lwcmp("--help");
    assert.match(
      top.stdout.replace(/\s+/g, " "),
      /Exit codes: 0 success, 1 refused .* 2 bad flags.* 3 transport failure or time limit, 70 internal error/,
    );
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("bin/lwcmp.js on an older Node.js", () => {
  const tmp = tempDir("lwcmp-signal-");
  after(() => tmp.cleanup());

  it("forwards SIGTERM to the Node 24 child and exits with its code", async (t) => {
    const sys = await run("/usr/bin/node", ["--version"]);
    if (sys.code !== 0 || Number(sys.stdout.slice(1).split(".")[0]) >= 24) {
      t.skip("the system Node.js is new enough to run lwcmp itself: there is no child");
      return;
    }
    const { config } = initDemo(join(tmp.path, "pki"), { port: 0 });
    const wrapper = spawn("/usr/bin/node", [BIN, "serve", "--config", config, "--port", "0"]);
    const exited = new Promise<string>((r) => wrapper.on("exit", (c, sig) => r(`${c} ${sig}`)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("serve did not start within 20 s")), 20_000);
      wrapper.stdout.on("data", (c: Buffer) => {
        if (c.toString().includes("listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(wrapper.pid)], { encoding: "utf8" })
      .split("\n")
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    assert.equal(children.length, 1, "one Node 24 child serves");
    assert.ok(alive(children[0]!));
    wrapper.kill("SIGTERM");
    assert.equal(await exited, "0 null");
    for (let i = 0; i < 50 && alive(children[0]!); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(children[0]!), false, "the child is gone");
  });
});
