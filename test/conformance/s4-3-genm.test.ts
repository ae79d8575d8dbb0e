// RFC 9483 §4.3 support messages: the request syntax of each profiled infoType — no value where
// none is allowed, the right ASN.1 where one is; a broken value is an error badDataFormat.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InfoTypeAndValue } from "../../src/asn1/cmp.js";
import * as oids from "../../src/asn1/oids.js";
import { createTestCa, genmRequest, send, type TestCa } from "../helpers/ca.js";

const utf8 = (s: string) => new Uint8Array([0x0c, s.length, ...new TextEncoder().encode(s)]).buffer;

describe("RFC 9483 §4.3 genm values", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  for (const [name, oid] of [
    ["caCerts (§4.3.1)", oids.id_it_caCerts],
    ["certReqTemplate (§4.3.3)", oids.id_it_certReqTemplate],
  ] as const) {
    it(`${name} with an infoValue -> error badDataFormat; without -> genp`, async () => {
      const a = await send(
        t.ca,
        genmRequest(t, [new InfoTypeAndValue({ infoType: oid, infoValue: utf8("x") })]),
      );
      assert.equal(a.bodyType, "error");
      assert.deepEqual(a.failInfo, ["badDataFormat"]);
      assert.match(a.statusString[0]!, /must come without infoValue/);
      assert.equal((await send(t.ca, genmRequest(t, [oid]))).bodyType, "genp");
    });
  }

  for (const [name, oid] of [
    ["rootCaCert (§4.3.2)", oids.id_it_rootCaCert],
    ["crlStatusList (§4.3.4)", oids.id_it_crlStatusList],
  ] as const) {
    it(`${name} whose value is not its ASN.1 -> error badDataFormat`, async () => {
      const a = await send(
        t.ca,
        genmRequest(t, [new InfoTypeAndValue({ infoType: oid, infoValue: utf8("x") })]),
      );
      assert.equal(a.bodyType, "error");
      assert.deepEqual(a.failInfo, ["badDataFormat"]);
      assert.match(a.statusString[0]!, /not the ASN.1 its infoType names/);
    });
  }

  it("one broken InfoTypeAndValue spoils the genm: no partial genp", async () => {
    const bad = new InfoTypeAndValue({ infoType: oids.id_it_caCerts, infoValue: utf8("x") });
    const a = await send(t.ca, genmRequest(t, [oids.id_it_signKeyPairTypes, bad]));
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badDataFormat"]);
  });
});
