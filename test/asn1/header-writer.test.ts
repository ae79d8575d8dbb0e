// The direct PKIHeader writer produces the schema serialiser's bytes: for every OpenSSL-made fixture (also
// as the recipient of an answer, where the received name is written back), for headers lwcmp builds, and
// for a name whose received encoding is not DER (written afresh, not echoed).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, GeneralName } from "@peculiar/asn1-x509";
import { InfoTypeAndValue } from "../../src/asn1/cmp.js";
import { readPKIHeader, writePKIHeader, DerReader } from "../../src/asn1/der/index.js";
import * as oids from "../../src/asn1/oids.js";
import { buildHeader, responseHeader } from "../../src/cmp/header.js";
import {
  certProfileItav,
  confirmWaitTimeItav,
  implicitConfirmItav,
} from "../../src/cmp/build/general-info.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { parseName } from "../../src/pki/names.js";

const FIXTURES = join(process.cwd(), "test", "fixtures", "openssl");
const hex = (b: Uint8Array | ArrayBuffer) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex");
const schema = (h: Parameters<typeof writePKIHeader>[0]) => hex(new Uint8Array(AsnSerializer.serialize(h)));

describe("PKIHeader writer", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".der"));

  it("writes every fixture's header as received, and as the schema serialiser does", () => {
    assert.ok(files.length >= 20);
    for (const f of files) {
      const der = new Uint8Array(readFileSync(join(FIXTURES, f)));
      const d = decodePKIMessage(der);
      const received = new DerReader(new DerReader(der).read().content).read().bytes;
      assert.equal(hex(writePKIHeader(d.message.header)), hex(received), f);
      assert.equal(hex(writePKIHeader(d.message.header)), schema(d.message.header), f);
    }
  });

  it("answers each fixture with the schema serialiser's bytes (its sender as our recipient)", () => {
    const sender = new GeneralName({ directoryName: parseName("CN=Writer CA,O=lwcmp") });
    for (const f of files) {
      const d = decodePKIMessage(new Uint8Array(readFileSync(join(FIXTURES, f))));
      const h = responseHeader(d.message.header, { sender, recipKID: new Uint8Array([1, 2, 3]) });
      assert.equal(hex(writePKIHeader(h)), schema(h), f);
      assert.equal(hex(writePKIHeader(h)), schema(h), `${f}, the second time`);
    }
  });

  it("writes headers lwcmp builds: times with fractions, protectionAlg, KIDs, freeText, generalInfo", () => {
    const implicit = new InfoTypeAndValue({
      infoType: oids.id_it_implicitConfirm,
      infoValue: new Uint8Array([5, 0]).buffer,
    });
    const variants = [
      buildHeader(),
      buildHeader({ messageTime: null }),
      buildHeader({
        pvno: 3,
        sender: new GeneralName({ dNSName: "ee.example" }),
        recipient: new GeneralName({ directoryName: parseName("CN=CA,O=Org,C=DE") }),
        protectionAlg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
        senderKID: new Uint8Array(20).fill(7),
        recipKID: new Uint8Array(0),
        recipNonce: new Uint8Array(16).fill(9),
        freeText: ["first", "zweite Zeile ä"],
        generalInfo: [implicit],
      }),
      buildHeader({
        protectionAlg: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: null }),
      }),
    ];
    for (const ms of [1, 10, 120, 999]) {
      const h = buildHeader();
      h.messageTime = new Date(Date.UTC(2031, 0, 2, 3, 4, 5, ms));
      variants.push(h);
    }
    for (const h of variants) assert.equal(hex(writePKIHeader(h)), schema(h));
  });

  it("writes generalInfo of every kind as the schema serialiser does (values not in DER: through it)", () => {
    const itav = (infoType: string, infoValue?: ArrayBuffer | null) =>
      new InfoTypeAndValue({ infoType, infoValue: infoValue as ArrayBuffer | undefined });
    const lists: InfoTypeAndValue[][] = [
      [implicitConfirmItav()],
      [itav(oids.id_it_implicitConfirm, null)],
      [itav(oids.id_it_implicitConfirm)],
      [
        implicitConfirmItav(),
        certProfileItav("tls-server"),
        confirmWaitTimeItav(new Date(Date.UTC(2030, 1, 2))),
      ],
      // A long-form length below 128 is BER, not DER: the serialiser re-encodes it, so must the writer.
      [itav("1.3.6.1.5.5.7.4.99", new Uint8Array([0x0c, 0x81, 0x01, 0x61]).buffer)],
      // Two elements where ANY holds one.
      [itav("1.3.6.1.5.5.7.4.99", new Uint8Array([0x05, 0x00, 0x05, 0x00]).buffer)],
    ];
    for (const generalInfo of lists) {
      const h = buildHeader({ generalInfo });
      let expected: string;
      try {
        expected = schema(h);
      } catch {
        assert.throws(() => writePKIHeader(h));
        continue;
      }
      assert.equal(hex(writePKIHeader(h)), expected, generalInfo.map((i) => i.infoType).join(","));
    }
  });

  it("does not echo a received name that is not DER: it is written afresh", () => {
    // sender [4] Name "CN=x" whose Name SEQUENCE has a long-form length below 128 (BER, not DER).
    const atv = [0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x78];
    const rdn = [0x31, atv.length, ...atv];
    const badName = [0xa4, 3 + rdn.length, 0x30, 0x81, rdn.length, ...rdn];
    const nullDn = [0xa4, 0x02, 0x30, 0x00];
    const fields = [0x02, 0x01, 0x02, ...badName, ...nullDn];
    const header = new Uint8Array([0x30, fields.length, ...fields]);
    const parsed = readPKIHeader(new DerReader(header).read());
    const written = writePKIHeader(parsed);
    assert.equal(hex(written), schema(parsed));
    assert.ok(!hex(written).includes(hex(new Uint8Array(badName))), "the BER name is not sent back");
    assert.ok(hex(written).includes("a40e300c"), "the name goes out in DER");
  });

  it("parses an ordinary name once per encoding, a large one every time (nothing large is kept)", () => {
    const header = (cn: string) => {
      const h = buildHeader({ sender: new GeneralName({ directoryName: parseName(`CN=${cn}`) }) });
      return new DerReader(new Uint8Array(AsnSerializer.serialize(h))).read();
    };
    const small = header("kept-name");
    assert.equal(
      readPKIHeader(small).sender,
      readPKIHeader(small).sender,
      "the same object from the kept name",
    );
    const large = header("x".repeat(2000));
    assert.notEqual(readPKIHeader(large).sender, readPKIHeader(large).sender, "a 2 KB name is not kept");
  });
});
