// CMS SignedData in BER (RFC 5652 §5): what `openssl cms -sign -stream` writes (indefinite lengths,
// constructed eContent) verifies, over signed attributes or, for id-data without them, the content.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { importPrivateKeyPem } from "../../src/crypto/index.js";
import { berOctetString } from "../../src/pki/cms/ber.js";
import { CmsError } from "../../src/pki/cms/common.js";
import {
  buildSignedData,
  parseSignedContentInfo,
  signedContentInfoDer,
  verifySignedData,
} from "../../src/pki/cms/signed.js";
import { openssl, opensslSelfSigned, tempDir } from "../helpers/openssl.js";

describe("CMS SignedData in BER", () => {
  const dir = tempDir();
  const f = (n: string) => join(dir.path, n);
  after(() => dir.cleanup());
  const signer = opensslSelfSigned(dir.path, "signer", "/CN=BER signer");
  // Longer than one 4096-byte segment, so the eContent is cut into several OCTET STRINGs.
  const content = new TextEncoder().encode("streamed content line\n".repeat(400));
  writeFileSync(f("data.bin"), content);

  const sign = (extra: string[]): Uint8Array => {
    const out = f(`s${extra.join("")}.der`);
    openssl([
      "cms",
      "-sign",
      "-stream",
      "-binary",
      "-nodetach",
      "-in",
      f("data.bin"),
      "-signer",
      signer.cert,
      "-inkey",
      signer.key,
      "-outform",
      "DER",
      "-out",
      out,
      ...extra,
    ]);
    return new Uint8Array(readFileSync(out));
  };

  /** Offset of the first byte of `needle` in `hay`. */
  const find = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay).indexOf(Buffer.from(needle));

  it("the openssl sample is BER: indefinite lengths and a constructed eContent", () => {
    const ber = sign([]);
    assert.equal(ber[1], 0x80, "the ContentInfo has an indefinite length");
    const text = openssl(["asn1parse", "-inform", "DER", "-in", f("s.der")]).toString();
    assert.match(text, /l=inf\s+cons:\s+OCTET STRING/);
    assert.ok((text.match(/prim:\s+OCTET STRING\s+:/g) ?? []).length >= 2, "several segments");
  });

  it("signed attributes: verifies, returns the joined content; tampered content or signature fails", () => {
    const ber = sign([]);
    const v = verifySignedData(parseSignedContentInfo(ber));
    assert.deepEqual(v.content, content);
    assert.equal(v.contentType, "1.2.840.113549.1.7.1");
    assert.deepEqual(v.signer.der, signer.der);

    const at = find(ber, new TextEncoder().encode("streamed content line"));
    const badContent = Uint8Array.from(ber);
    badContent[at + 5000] ^= 0x01;
    assert.throws(
      () => verifySignedData(parseSignedContentInfo(badContent)),
      (e: unknown) => e instanceof CmsError && /messageDigest/.test(e.message),
    );
    const badSig = Uint8Array.from(ber);
    badSig[ber.length - 12] ^= 0x01; // inside the signature value, before the closing end-of-contents
    assert.throws(
      () => verifySignedData(parseSignedContentInfo(badSig)),
      (e: unknown) => e instanceof CmsError && /does not verify/.test(e.message),
    );
  });

  it("no signed attributes (id-data): the signature covers the content octets", () => {
    const ber = sign(["-noattr"]);
    assert.equal(verifySignedData(parseSignedContentInfo(ber)).content.length, content.length);
    const bad = Uint8Array.from(ber);
    bad[find(ber, new TextEncoder().encode("streamed content line")) + 100] ^= 0x01;
    assert.throws(
      () => verifySignedData(parseSignedContentInfo(bad)),
      (e: unknown) => e instanceof CmsError && /does not verify/.test(e.message),
    );
  });

  it("our DER SignedData still verifies, and openssl verifies it", () => {
    const own = opensslSelfSigned(dir.path, "own", "/CN=own signer");
    const k = { key: importPrivateKeyPem(readFileSync(own.key, "utf8")), certificate: own.der };
    const ci = signedContentInfoDer(buildSignedData(content, "1.2.840.113549.1.7.1", k));
    assert.deepEqual(verifySignedData(parseSignedContentInfo(ci)).content, content);
    writeFileSync(f("own.der"), ci);
    const out = openssl(["cms", "-verify", "-inform", "DER", "-in", f("own.der"), "-noverify", "-binary"]);
    assert.deepEqual(new Uint8Array(out), content);
  });

  it("berOctetString: primitive, nested constructed, and malformed input", () => {
    assert.deepEqual(berOctetString(Uint8Array.of(0x04, 0x02, 1, 2)), Uint8Array.of(1, 2));
    const nested = Uint8Array.of(0x24, 0x80, 0x04, 0x01, 7, 0x24, 0x03, 0x04, 0x01, 8, 0x00, 0x00);
    assert.deepEqual(berOctetString(nested), Uint8Array.of(7, 8));
    assert.throws(() => berOctetString(Uint8Array.of(0x24, 0x80, 0x04, 0x01, 7)), CmsError);
    assert.throws(() => berOctetString(Uint8Array.of(0x24, 0x80, 0x02, 0x01, 7, 0, 0)), CmsError);
  });
});
