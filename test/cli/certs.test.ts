// `lwcmp certs list|search|show` as an operator runs them: the RA that forwarded a request (RFC 9483
// §5.2) is shown with its certificate and is a search filter; certificates from EEs show none.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { initDemo } from "../../src/server/index.js";
import { openStore } from "../../src/store/open.js";
import type { CertificateRecord } from "../../src/store/store.js";
import { run } from "../helpers/demo.js";
import { tempDir } from "../helpers/openssl.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "lwcmp.js");
const RA = "CN=Demo RA,O=lwcmp demo";

function record(serial: string, subject: string, forwardedBy?: string): CertificateRecord {
  return {
    serial,
    issuer: "CN=Demo Issuing CA,O=lwcmp demo",
    subject,
    der: randomBytes(40),
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2027-01-01T00:00:00Z"),
    status: "valid",
    profile: "default",
    requester: "kid:01",
    createdAt: new Date("2026-03-01T00:00:00Z"),
    forwardedBy,
  };
}

describe("lwcmp certs: the forwarding RA", () => {
  const dir = tempDir();
  let config: string;
  const certs = (...args: string[]) => run(process.execPath, [BIN, "certs", ...args, "--config", config]);
  before(async () => {
    config = initDemo(dir.path, { port: 0 }).config;
    const store = await openStore(`sqlite:${join(dir.path, "lwcmp.db")}`);
    try {
      await store.insertCertificate(record("0f01", "CN=via-ra", RA));
      await store.insertCertificate(record("0f02", "CN=from-ee"));
    } finally {
      await store.close();
    }
  });
  after(() => dir.cleanup());

  it("certs show prints forwardedBy only for a forwarded request", async () => {
    const via = await certs("show", "0f01");
    assert.equal(via.code, 0, via.stderr);
    assert.match(via.stdout, /^forwardedBy\s+CN=Demo RA,O=lwcmp demo$/m);
    const direct = await certs("show", "0f02");
    assert.equal(direct.code, 0, direct.stderr);
    assert.doesNotMatch(direct.stdout, /forwardedBy/);
  });

  it("certs list names the RA on its line; search --forwarded-by finds what it forwarded", async () => {
    const all = await certs("list");
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split("\n");
    assert.match(
      lines.find((l) => l.startsWith("0f01"))!,
      /CN=via-ra {2}forwardedBy="CN=Demo RA,O=lwcmp demo"$/,
    );
    assert.doesNotMatch(
      lines.find((l) => l.startsWith("0f02"))!,
      /forwardedBy/,
    );
    const found = await certs("search", "--forwarded-by", RA);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(
      found.stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split(" ")[0]),
      ["0f01"],
    );
  });
});
