// The received bytes of each CertRequest and template key (used for POP and key checks) are exactly what
// the schema serialiser writes for the parsed values, on every OpenSSL-made ir / cr / kur; a request that
// is not strict DER inside has none, and its POP is checked over the serialised value as before.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { PKIBody } from "../../src/asn1/cmp.js";
import { receivedDer } from "../../src/asn1/der/index.js";
import { noteCertRequests } from "../../src/asn1/der/crmf-received.js";
import { DerReader } from "../../src/asn1/der/reader.js";
import { decodePKIMessage } from "../../src/cmp/message.js";

const FIXTURES = join(process.cwd(), "test", "fixtures", "openssl");
const hex = (b: Uint8Array | ArrayBuffer) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex");

describe("received CertRequest bytes", () => {
  it("equal the serialised certReq and template key on every ir / cr / kur fixture", () => {
    let seen = 0;
    for (const f of readdirSync(FIXTURES).filter((n) => /^(ir|cr|kur)-/.test(n))) {
      const d = decodePKIMessage(new Uint8Array(readFileSync(join(FIXTURES, f))));
      const msgs = d.message.body.ir ?? d.message.body.cr ?? d.message.body.kur!;
      for (const m of msgs) {
        const got = receivedDer(m.certReq);
        assert.ok(got, `${f}: the certReq bytes are noted`);
        assert.equal(hex(got), hex(AsnSerializer.serialize(m.certReq)), f);
        const key = m.certReq.certTemplate.publicKey!;
        assert.equal(hex(receivedDer(key)!), hex(AsnSerializer.serialize(key)), `${f}: template key`);
        seen++;
      }
    }
    assert.ok(seen >= 3, "ir, cr and kur fixtures");
  });

  it("notes nothing for a certReq with a BER length inside (the same request in DER is noted)", () => {
    const der = new Uint8Array(readFileSync(join(FIXTURES, "ir-sig.der")));
    const body = new DerReader(new DerReader(der).read().content).all()[1]!;
    const msg = new DerReader(new DerReader(body.content).read().content).read();
    const parts = new DerReader(msg.content).all();
    const certReq = parts[0]!;
    // certReqId INTEGER written with a long-form length: 02 81 01 00 instead of 02 01 00.
    const inner = Buffer.from(certReq.content);
    assert.deepEqual([...inner.subarray(0, 3)], [0x02, 0x01, 0x00]);
    const ber = Buffer.concat([Buffer.from([0x02, 0x81, 0x01, 0x00]), inner.subarray(3)]);
    const wrap = (tag: number, content: Uint8Array) => {
      const n = content.length;
      const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
      return Buffer.concat([Buffer.from([tag, ...len]), content]);
    };
    const build = (req: Uint8Array) => {
      const m = wrap(0x30, Buffer.concat([req, ...parts.slice(1).map((p) => p.bytes)]));
      return new Uint8Array(wrap(0xa0, wrap(0x30, m)));
    };
    for (const [req, noted] of [
      [certReq.bytes, true],
      [wrap(0x30, ber), false],
    ] as const) {
      const tagged = build(req);
      const parsed = AsnParser.parse(tagged, PKIBody);
      noteCertRequests(new DerReader(tagged).read(), parsed);
      assert.equal(receivedDer(parsed.ir![0]!.certReq) !== undefined, noted);
    }
  });
});
