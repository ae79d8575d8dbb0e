// Messages no one here wrote: OpenSSL's CMP messages decode, re-encode byte for byte and verify.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { describeMessage } from "../../src/cmp/inspect.js";
import { decodePKIMessage, encodePKIMessage } from "../../src/cmp/message.js";
import { verifyMacProtection, verifySignatureProtection } from "../../src/cmp/protection.js";
import { CmpError } from "../../src/cmp/errors.js";
import { importPublicKeySpki } from "../../src/crypto/index.js";
import { parseCertificate } from "../../src/pki/certificate.js";
import { pemBlocks } from "../../src/pki/pem.js";

// Compiled tests live in dist/test/cmp; the fixtures stay in the source tree.
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, "..", "..", "..", "test", "fixtures", "openssl");

interface Entry {
  file: string;
  body: string;
  direction: string;
  protection: "pbm" | "signature";
  key: string;
  command: string;
}
const manifest = JSON.parse(readFileSync(join(FIXTURES, "MANIFEST.json"), "utf8")) as Entry[];

describe("OpenSSL-made CMP messages", () => {
  it("cover the message types the profile uses", () => {
    const bodies = new Set(manifest.map((e) => e.body));
    for (const b of [
      "ir",
      "ip",
      "cr",
      "cp",
      "kur",
      "kup",
      "p10cr",
      "rr",
      "rp",
      "genm",
      "genp",
      "certConf",
      "pkiconf",
      "pollReq",
      "pollRep",
      "error",
    ]) {
      assert.ok(bodies.has(b), `no ${b} fixture`);
    }
    assert.ok(
      manifest.some((e) => e.protection === "pbm") && manifest.some((e) => e.protection === "signature"),
    );
  });

  for (const e of manifest) {
    it(`${e.file}: ${e.body}, ${e.protection}`, () => {
      const der = new Uint8Array(readFileSync(join(FIXTURES, e.file)));
      const d = decodePKIMessage(der);
      assert.equal(d.bodyType, e.body);
      assert.deepEqual(
        Buffer.from(encodePKIMessage(d.message)),
        Buffer.from(der),
        "re-encoding is byte-identical",
      );
      if (e.protection === "pbm") {
        verifyMacProtection(d, new TextEncoder().encode(e.key));
        assert.throws(
          () => verifyMacProtection(d, new TextEncoder().encode("wrong")),
          (x: unknown) => x instanceof CmpError && x.failInfo[0] === "badMessageCheck",
        );
      } else {
        const cert = parseCertificate(pemBlocks(readFileSync(join(FIXTURES, e.key), "latin1"))[0]!);
        const key = importPublicKeySpki(
          new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)),
        );
        verifySignatureProtection(d, key);
        // A flipped bit in the protected header (senderNonce) breaks the signature.
        const tampered = Buffer.from(der);
        const at = tampered.indexOf(Buffer.from(d.message.header.senderNonce!));
        assert.ok(at > 0);
        tampered[at]! ^= 0x01;
        assert.throws(() => {
          const t = decodePKIMessage(tampered);
          verifySignatureProtection(t, key);
        });
      }
      const description = describeMessage(d);
      assert.equal(description.bodyType, e.body);
      assert.equal(description.protection, e.protection);
    });
  }
});
