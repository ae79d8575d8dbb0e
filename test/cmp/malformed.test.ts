// Malformed input never hangs or throws anything but a typed MessageDecodeError (badDataFormat).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { PKIBody, PKIHeader, PKIMessage } from "../../src/asn1/cmp.js";
import { CmpError, MessageDecodeError } from "../../src/cmp/errors.js";
import { buildHeader } from "../../src/cmp/header.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { directoryName } from "../../src/pki/names.js";

function sample(): Uint8Array {
  const m = new PKIMessage({
    header: buildHeader({ sender: directoryName("CN=a"), recipient: directoryName("CN=b") }),
    body: new PKIBody({ pkiconf: null }),
  });
  return new Uint8Array(AsnSerializer.serialize(m));
}

function expectDecodeError(der: Uint8Array, pattern?: RegExp): MessageDecodeError {
  try {
    decodePKIMessage(der);
  } catch (e) {
    assert.ok(e instanceof MessageDecodeError, `expected MessageDecodeError, got ${String(e)}`);
    assert.ok(e instanceof CmpError);
    assert.deepEqual(e.failInfo, ["badDataFormat"]);
    if (pattern) assert.match(e.statusString, pattern);
    return e;
  }
  assert.fail("decoding should have failed");
}

describe("decodePKIMessage on malformed input", () => {
  it("accepts the well-formed sample", () => {
    const d = decodePKIMessage(sample());
    assert.equal(d.bodyType, "pkiconf");
  });
  it("rejects empty input", () => {
    expectDecodeError(new Uint8Array(0), /empty/);
  });
  it("rejects every truncation of a valid message", () => {
    const der = sample();
    for (let n = 1; n < der.length; n++) expectDecodeError(der.subarray(0, n));
  });
  it("rejects trailing bytes", () => {
    const der = sample();
    expectDecodeError(Buffer.concat([der, Uint8Array.of(0)]), /trailing/);
  });
  it("rejects a wrong outer tag", () => {
    const der = sample();
    der[0] = 0x31;
    expectDecodeError(der, /SEQUENCE/);
  });
  it("rejects a body with an unknown choice tag", () => {
    const header = new Uint8Array(AsnSerializer.serialize(new PKIHeader(buildHeader())));
    const body = Uint8Array.of(0xbb, 0x02, 0x05, 0x00); // [27] is no PKIBody choice
    const inner = Buffer.concat([header, body]);
    const der = Buffer.concat([Uint8Array.of(0x30, 0x82, inner.length >> 8, inner.length & 0xff), inner]);
    expectDecodeError(der);
  });
  it("rejects oversized lengths without allocating", () => {
    expectDecodeError(Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x02), /past the end/);
    expectDecodeError(Uint8Array.of(0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1), /too large/);
  });
  it("rejects indefinite lengths", () => {
    expectDecodeError(Uint8Array.of(0x30, 0x80, 0x00, 0x00), /indefinite/);
  });
  it("rejects deep nesting quickly", () => {
    let inner = new Uint8Array(0);
    for (let i = 0; i < 300; i++) {
      const len = inner.length;
      const head =
        len < 128 ? [0x30, len] : len < 256 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
      inner = Buffer.concat([Uint8Array.from(head), inner]);
    }
    expectDecodeError(inner);
  });
  it("rejects an odd-length UniversalString in a name without a RangeError escaping", () => {
    const der = Buffer.from(sample());
    // sender CN=a is UTF8String (0x0c 0x01 0x61): turn it into UniversalString (0x1c) of length 1
    const i = der.indexOf(Buffer.from([0x0c, 0x01, 0x61]));
    assert.ok(i > 0);
    der[i] = 0x1c;
    expectDecodeError(der);
  });
  it("survives 2000 random mutations with only typed errors", () => {
    const base = sample();
    for (let k = 0; k < 2000; k++) {
      const der = Uint8Array.from(base);
      const flips = 1 + (k % 4);
      const r = randomBytes(flips * 2);
      for (let f = 0; f < flips; f++) der[r[2 * f]! % der.length] = r[2 * f + 1]!;
      try {
        decodePKIMessage(der);
      } catch (e) {
        assert.ok(e instanceof MessageDecodeError, `mutation ${k}: ${String(e)}`);
      }
    }
  });
});
