// The configuration check on real files: schema refusals (EKU names, regexes, durations), key types,
// unreadable files, keys that are not their certificate's, broken chains, shared secrets; and serve
// refusing the same problems, or a busy port, in one line each.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigCheckError, checkConfigFile } from "../../src/config/check.js";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { caPolicyFromConfig } from "../../src/config/policy.js";
import { initDemo, ListenError, startServer } from "../../src/server/index.js";
import { tempDir } from "../helpers/openssl.js";

function schemaProblems(raw: unknown): readonly string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
}

describe("the configuration schema", () => {
  it("refuses unknown EKU names, says the near spelling, and takes names and dotted OIDs", () => {
    const bad = schemaProblems({ profiles: { default: { extendedKeyUsage: ["clientauth", "1.2.x"] } } });
    assert.equal(bad.length, 2);
    assert.match(bad[0]!, /^profiles\.default\.extendedKeyUsage\.0: unknown extended key usage "clientauth"/);
    assert.match(bad[0]!, /did you mean clientAuth\?/);
    assert.match(bad[1]!, /extendedKeyUsage\.1: unknown extended key usage "1\.2\.x"/);
    const ok = parseConfig({ profiles: { p: { extendedKeyUsage: ["clientAuth", "1.3.6.1.5.5.7.3.17"] } } });
    const policy = caPolicyFromConfig(ok).forRequest("p", "ir")!.profile;
    assert.deepEqual(policy.extendedKeyUsage, ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.17"]);
  });

  it("refuses regular expressions that do not compile, and bad durations", () => {
    const bad = schemaProblems({
      profiles: { default: { subjectPattern: "CN=(", sanDnsPattern: "[a-z" } },
      policy: { pollInterval: "5 minutes" },
    });
    assert.equal(bad.length, 3, bad.join("\n"));
    assert.ok(bad.some((l) => /^profiles\.default\.subjectPattern: not a valid regular expression/.test(l)));
    assert.ok(bad.some((l) => /^profiles\.default\.sanDnsPattern: not a valid regular expression/.test(l)));
    assert.ok(bad.some((l) => /^policy\.pollInterval: "5 minutes" is not a duration/.test(l)));
    assert.equal(parseConfig({ policy: { pollInterval: "90s" } }).policy.pollInterval, 90_000);
  });
});

describe("checkConfigFile", () => {
  const tmp = tempDir("lwcmp-check-");
  let config: string;
  let original: string;
  const write = (edit: (y: string) => string) => writeFileSync(config, edit(original));
  before(() => {
    config = initDemo(join(tmp.path, "pki"), { port: 0 }).config;
    original = readFileSync(config, "utf8");
  });
  after(() => tmp.cleanup());

  it("finds nothing in the demo configuration", async () => {
    assert.deepEqual(await checkConfigFile(config), { problems: [], warnings: [] });
  });

  it("reports unknown key types and misspelt ones", async () => {
    write((y) =>
      y
        .replace(
          "allowedKeyTypes: [ec-p256, ec-p384]",
          "allowedKeyTypes: [ec-p256, ML-DSA-65, dsa-1024, mlx-*]",
        )
        .replace("template: { algorithm: ec-p256 }", "template: { algorithm: ec-p999 }"),
    );
    const { problems } = await checkConfigFile(config);
    assert.deepEqual(problems, [
      'profiles.tls-server.allowedKeyTypes.1: "ML-DSA-65" is spelled ml-dsa-65',
      'profiles.tls-server.allowedKeyTypes.2: unknown key type "dsa-1024": use a name such as rsa, ec-p256, ec-p384, ed25519, ml-dsa-65, ml-kem-768 (see docs/configuration.md)',
      'profiles.tls-server.allowedKeyTypes.3: "mlx-*" matches no key type (see docs/configuration.md, Key type names)',
      'profiles.tls-server.template.algorithm: unknown key type "ec-p999"',
    ]);
  });

  it("reports unreadable files and keys that are not their certificate's", async () => {
    write((y) =>
      y
        .replace("key: issuing-ca.key", "key: missing.key")
        .replace("key: cmp-signer.key", "key: kga.key")
        .replace("external: [manufacturer-ca.crt]", "external: [nowhere.crt]"),
    );
    const { problems } = await checkConfigFile(config);
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.match(problems[0]!, /^ca\.key: cannot read key file .*missing\.key: ENOENT$/);
    assert.equal(
      problems[1],
      "ca.cmpSigner.key: kga.key is not the key of cmp-signer.crt (their public keys differ)",
    );
    assert.match(problems[2]!, /^trust\.external\.0: cannot read certificate file .*nowhere\.crt: ENOENT$/);
  });

  it("reports chains that do not verify and a KGA certificate without id-kp-cmKGA", async () => {
    write((y) =>
      y
        .replace("chain: [root-ca.crt]", "chain: [manufacturer-ca.crt]")
        .replace(
          "certificate: kga.crt\n    key: kga.key",
          "certificate: cmp-signer.crt\n    key: cmp-signer.key",
        ),
    );
    const broken = await checkConfigFile(config);
    assert.equal(broken.problems.length, 3, broken.problems.join("\n"));
    assert.match(broken.problems[0]!, /^ca\.chain: the issuing CA certificate does not chain to the root: /);
    assert.match(broken.problems[1]!, /^ca\.cmpSigner\.certificate: does not chain to the CA: /);
    assert.match(broken.problems[2]!, /^ca\.kga\.certificate: does not chain to the CA: /);
    write((y) =>
      y.replace(
        "certificate: kga.crt\n    key: kga.key",
        "certificate: cmp-signer.crt\n    key: cmp-signer.key",
      ),
    );
    const eku = await checkConfigFile(config);
    assert.deepEqual(eku.problems, []);
    assert.match(eku.warnings[0]!, /^ca\.kga\.certificate: lacks extended key usage id-kp-cmKGA/);
  });

  it("reports shared secrets that cannot be resolved, listed twice, or naming unknown profiles", async () => {
    delete process.env.LWCMP_CHECK_UNSET;
    write((y) =>
      y.replace(
        "  - kid: demo-ee\n    secret: file:demo-ee.secret",
        "  - kid: demo-ee\n    secret: file:gone.secret\n  - kid: demo-ee\n    secret: env:LWCMP_CHECK_UNSET\n    profile: nope",
      ),
    );
    const { problems } = await checkConfigFile(config);
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.match(
      problems[0]!,
      /^sharedSecrets\.0 \(kid demo-ee\): cannot read shared secret file .*gone\.secret: ENOENT$/,
    );
    assert.equal(problems[1], 'sharedSecrets.1 (kid demo-ee): kid "demo-ee" is listed twice');
    assert.equal(
      problems[2],
      "sharedSecrets.1 (kid demo-ee): environment variable LWCMP_CHECK_UNSET for a shared secret is not set",
    );
    assert.equal(problems[3], 'sharedSecrets.1 (kid demo-ee): profile "nope" is not defined under profiles');
  });

  it("reports an unreadable or unparsable file as one problem", async () => {
    assert.deepEqual(await checkConfigFile(join(tmp.path, "none.yaml")), {
      problems: ["cannot read the file: ENOENT"],
      warnings: [],
    });
    writeFileSync(join(tmp.path, "bad.yaml"), "server: [\n");
    const { problems } = await checkConfigFile(join(tmp.path, "bad.yaml"));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^not valid YAML: /);
  });
});

describe("startServer runs the check first", () => {
  const tmp = tempDir("lwcmp-check-serve-");
  after(() => tmp.cleanup());

  it("refuses a configuration with problems with the check's lines, before opening the store", async () => {
    const { config } = initDemo(join(tmp.path, "a"), { port: 0 });
    writeFileSync(config, readFileSync(config, "utf8").replace("key: cmp-signer.key", "key: kga.key"));
    rmSync(join(tmp.path, "a", "lwcmp.db"), { force: true });
    const { problems } = await checkConfigFile(config);
    await assert.rejects(startServer(config, { port: 0, log: () => undefined }), (e: unknown) => {
      assert.ok(e instanceof ConfigCheckError);
      assert.deepEqual(
        e.problems,
        problems.map((p) => `${config}: ${p}`),
      );
      return true;
    });
    assert.throws(() => readFileSync(join(tmp.path, "a", "lwcmp.db")), /ENOENT/);
  });

  it("says in one line that the port is in use", async () => {
    const { config } = initDemo(join(tmp.path, "b"), { port: 0 });
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startServer(config, { port, log: () => undefined }), (e: unknown) => {
        assert.ok(e instanceof ListenError);
        assert.equal(e.code, "EADDRINUSE");
        assert.equal(
          e.message,
          `cannot listen on 127.0.0.1:${port}: the port is in use; stop the other server or choose another port (--port or server.port)`,
        );
        return true;
      });
    } finally {
      blocker.close();
    }
  });
});
