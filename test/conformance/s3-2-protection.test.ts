// RFC 9483 §3.2 / §4.1.5 with RFC 9481 §6.1 and RFC 4211 §4.4: MAC parameters a receiver accepts
// (salt of at least 8 octets, at least 100 iterations) on both sides, and the answer's MAC parameters.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { InfoTypeAndValue } from "../../src/asn1/cmp.js";
import * as oids from "../../src/asn1/oids.js";
import { PBKDF2Params, PBMAC1Params } from "../../src/asn1/pkcs5.js";
import { genmBody } from "../../src/cmp/build/index.js";
import { ClientSession } from "../../src/cmp/client/session.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { certEntry } from "../../src/pki/path.js";
import { createTestCa, genmRequest, irRequest, send, summarize, type TestCa } from "../helpers/ca.js";
import { pbmParams, pbmProtect, refused, withPbm } from "./helpers.js";

describe("RFC 9483 §3.2 MAC protection", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());
  const salt = (n: number) => crypto.getRandomValues(new Uint8Array(n));

  it("CA: a PBM salt of 7 octets -> error badAlg; 8 octets are accepted", async () => {
    const short = withPbm(t, genmRequest(t, [oids.id_it_caCerts]).der, { salt: salt(7), iterations: 500 });
    const a = await send(t.ca, short);
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badAlg"]);
    assert.match(a.statusString[0]!, /salt of 7 octets/);
    const ok = withPbm(t, genmRequest(t, [oids.id_it_caCerts]).der, { salt: salt(8), iterations: 500 });
    assert.equal((await send(t.ca, ok)).bodyType, "genp");
  });

  it("CA: 99 iterations -> error badAlg (RFC 4211 §4.4 minimum 100); 100 are accepted", async () => {
    const low = withPbm(t, genmRequest(t, [oids.id_it_caCerts]).der, { salt: salt(16), iterations: 99 });
    const a = await send(t.ca, low);
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badAlg"]);
    assert.match(a.statusString[0]!, /iteration count 99 is outside the accepted range 100\.\./);
    const ok = withPbm(t, genmRequest(t, [oids.id_it_caCerts]).der, { salt: salt(16), iterations: 100 });
    assert.equal((await send(t.ca, ok)).bodyType, "genp");
  });

  it("CA: the MAC answer repeats the request's OWF and iteration count (500 in, 500 out)", async () => {
    const req = withPbm(t, genmRequest(t, [oids.id_it_caCerts]).der, { salt: salt(16), iterations: 500 });
    const der = await t.ca.handle(req);
    const a = summarize(der);
    assert.equal(a.bodyType, "genp");
    const p = pbmParams(der);
    assert.equal(p.iterations, 500);
    assert.equal(p.owf, "2.16.840.1.101.3.4.2.1");
    assert.ok(p.saltBytes >= 8);
    assert.deepEqual(
      new Uint8Array(a.decoded.message.header.senderKID!),
      new TextEncoder().encode(t.secrets.kid),
      "senderKID names the same shared secret",
    );
  });

  it("CA: a PBMAC1 answer repeats the request's iteration count", async () => {
    const req = irRequest(t, { cred: { ...t.secrets, kind: "mac", alg: "pbmac1" }, implicitConfirm: true });
    const a = await send(t.ca, req);
    assert.equal(a.statusName, "accepted");
    const alg = a.decoded.message.header.protectionAlg!;
    assert.equal(alg.algorithm, oids.id_PBMAC1);
    const kdf = AsnParser.parse(
      AsnParser.parse(alg.parameters!, PBMAC1Params).keyDerivationFunc.parameters!,
      PBKDF2Params,
    );
    assert.equal(kdf.iterationCount, 1000, "the test helper protects requests with 1000 iterations");
  });

  it("client: an answer with 99 iterations or a 4-octet salt -> badAlg", async () => {
    const session = (o: { iterations: number; saltBytes: number }) =>
      new ClientSession({
        send: async (der, op) => {
          const m = decodePKIMessage(await t.ca.handle(der, { operation: op })).message;
          delete m.protection;
          return pbmProtect(m, t.secrets.secret, { salt: salt(o.saltBytes), iterations: o.iterations });
        },
        credential: {
          kind: "mac",
          reference: t.secrets.kid,
          secret: new TextEncoder().encode(t.secrets.secret),
        },
        trust: { anchors: [certEntry(t.root)], untrusted: [] },
        now: t.clock.now,
      });
    const body = () => genmBody([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })]);
    const opts = { operation: "getcacerts", expect: "genp" } as const;
    assert.equal((await session({ iterations: 100, saltBytes: 8 }).exchange(body(), opts)).bodyType, "genp");
    const low = await refused(session({ iterations: 99, saltBytes: 16 }).exchange(body(), opts));
    assert.deepEqual(low.failInfo, ["badAlg"]);
    const short = await refused(session({ iterations: 500, saltBytes: 4 }).exchange(body(), opts));
    assert.deepEqual(short.failInfo, ["badAlg"]);
    assert.match(short.message, /salt of 4 octets/);
  });
});
