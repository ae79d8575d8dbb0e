// Bounds on received PKIMessages: extraCerts count and size, ASN.1 node count, received certificates
// kept out of the cache, and header names the schema cannot write back refused as badDataFormat.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Name } from "@peculiar/asn1-x509";
import { CMPCertificates, PKIBody, PKIMessage } from "../../src/asn1/cmp.js";
import { MessageDecodeError } from "../../src/cmp/errors.js";
import { buildHeader } from "../../src/cmp/header.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { directoryName, namesEqual } from "../../src/pki/names.js";
import { certCacheSize, certEntry } from "../../src/pki/path/types.js";
import { pemBlocks } from "../../src/pki/certificate.js";

const fixture = (p: string) => new URL(`../../../test/fixtures/openssl/${p}`, import.meta.url);
const rootDer = pemBlocks(readFileSync(fixture("pki/root.crt"), "utf8"), "CERTIFICATE")[0]!;

function pkiconf(extra: number, sender = directoryName("CN=a")): Uint8Array {
  const m = new PKIMessage({
    header: buildHeader({ sender, recipient: directoryName("CN=b") }),
    body: new PKIBody({ pkiconf: null }),
  });
  if (extra > 0) {
    const c = certEntry(rootDer, { cache: false }).cert;
    m.extraCerts = new CMPCertificates(Array.from({ length: extra }, () => c));
  }
  return new Uint8Array(AsnSerializer.serialize(m));
}

function decodeFails(der: Uint8Array, pattern: RegExp, limits = {}): void {
  assert.throws(
    () => decodePKIMessage(der, limits),
    (e: unknown) =>
      e instanceof MessageDecodeError && pattern.test(e.message) && e.failInfo[0] === "badDataFormat",
  );
}

/** A Name whose CN is a UTCTime holding text. */
function utcTimeTextName(): Name {
  const txt = Buffer.from("not a time");
  const atv = Buffer.concat([Buffer.from([0x06, 3, 0x55, 4, 3, 0x17, txt.length]), txt]);
  const seq = Buffer.concat([Buffer.from([0x30, atv.length]), atv]);
  const set = Buffer.concat([Buffer.from([0x31, seq.length]), seq]);
  return AsnParser.parse(Buffer.concat([Buffer.from([0x30, set.length]), set]), Name);
}

describe("PKIMessage decode limits", () => {
  it("refuses more extraCerts than the limit, accepts up to it", () => {
    assert.equal(decodePKIMessage(pkiconf(3), { maxExtraCerts: 3 }).extraCerts.length, 3);
    decodeFails(pkiconf(4), /more than 3 certificates/, { maxExtraCerts: 3 });
  });

  it("refuses extraCerts larger in total than the limit", () => {
    const der = pkiconf(2);
    assert.equal(decodePKIMessage(der, { maxExtraCertsBytes: rootDer.length * 3 }).extraCerts.length, 2);
    decodeFails(der, /extraCerts larger than/, { maxExtraCertsBytes: rootDer.length * 2 - 1 });
  });

  it("refuses messages with more ASN.1 elements than the limit", () => {
    const der = pkiconf(1);
    assert.ok(decodePKIMessage(der, { maxNodes: 10_000 }));
    decodeFails(der, /more than 20 ASN.1 elements/, { maxNodes: 20 });
    decodeFails(der, /nesting deeper than 3/, { maxDepth: 3 });
  });

  it("refuses a megabyte of small elements before parsing it", () => {
    // genm with 70 000 InfoTypeAndValue: a schema parse of it takes hundreds of milliseconds.
    const good = pkiconf(0);
    const header = good.subarray(good[1]! & 0x80 ? 2 + (good[1]! & 0x7f) : 2, good.length - 4);
    const tlv = (tag: number, body: Buffer) => {
      const n = body.length;
      const len = n < 128 ? [n] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
      return Buffer.concat([Buffer.from([tag, ...len]), body]);
    };
    const itav = tlv(0x30, tlv(0x06, Buffer.from([0x2b, 6, 1, 5, 5, 7, 4, 17])));
    const body = tlv(0xb5, tlv(0x30, Buffer.concat(Array<Buffer>(70_000).fill(itav))));
    const der = new Uint8Array(tlv(0x30, Buffer.concat([header, body])));
    assert.ok(der.length > 800_000);
    const t0 = performance.now();
    decodeFails(der, /ASN.1 elements/, { maxNodes: 4000 });
    const ms = performance.now() - t0;
    assert.ok(ms < 50, `refusing took ${ms.toFixed(1)} ms`);
  });

  it("does not cache received extraCerts", () => {
    const before = certCacheSize();
    const d = decodePKIMessage(pkiconf(2));
    assert.equal(d.extraCerts.length, 2);
    assert.deepEqual(certCacheSize(), before);
  });

  it("a sender Name holding a UTCTime with text is badDataFormat, and names still compare", () => {
    const name = utcTimeTextName();
    assert.equal(namesEqual(name, name), true);
    assert.equal(namesEqual(name, directoryName("CN=a").directoryName!), false);
    // Built by hand, as the schema cannot write such a header: CN=zzzzzzzzzz (UTF8String of 10
    // bytes) becomes a UTCTime holding 10 bytes of text, same length.
    const good = pkiconf(0, directoryName("CN=zzzzzzzzzz"));
    assert.ok(decodePKIMessage(good));
    const der = Uint8Array.from(good);
    const value = Buffer.from(good).indexOf(Buffer.from("zzzzzzzzzz")) - 2;
    assert.equal(der[value], 0x0c);
    der[value] = 0x17;
    der.set(Buffer.from("not a time"), value + 2);
    decodeFails(der, /PKIHeader/);
  });
});
