// The key-reuse rule (RFC 9483 §4.1: a fresh key per request; profile allowKeyReuse false) sees one key
// whatever its encoding: an EC key certified once is refused when sent again with its point compressed,
// and the other way round.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  generateKeyPair,
  keyIdentityDer,
  importPublicKeySpki,
  type PrivateKey,
} from "../../src/crypto/index.js";
import { createTestCa, irRequest, send, type TestCa } from "../helpers/ca.js";

/** The SPKI of a P-256 key with its point compressed (SEC 1 §2.3.3). */
function compressed(spki: Uint8Array): Uint8Array {
  const x = spki.subarray(27, 59);
  const y = spki.subarray(59, 91);
  const prefix = Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex");
  return new Uint8Array(Buffer.concat([prefix, Buffer.from([2 + (y[31]! & 1)]), x]));
}

/** The same private key, presenting its public key in another encoding in the request template. */
function presenting(key: PrivateKey, spki: Uint8Array): PrivateKey {
  const publicKey = importPublicKeySpki(spki);
  return Object.create(key, { publicKey: { value: publicKey } }) as PrivateKey;
}

describe("key reuse across encodings", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("one identity for both encodings of an EC key", () => {
    const k = generateKeyPair("ec-p256");
    const c = importPublicKeySpki(compressed(k.publicKey.spki));
    assert.notEqual(Buffer.from(c.spki).toString("hex"), Buffer.from(k.publicKey.spki).toString("hex"));
    assert.equal(
      Buffer.from(keyIdentityDer(c)).toString("hex"),
      Buffer.from(k.publicKey.spki).toString("hex"),
    );
  });

  for (const order of ["uncompressed first", "compressed first"]) {
    it(`refuses the second certificate for one key (${order})`, async () => {
      const k = generateKeyPair("ec-p256");
      const forms = [k.publicKey.spki, compressed(k.publicKey.spki)];
      if (order === "compressed first") forms.reverse();
      const first = await send(
        t.ca,
        irRequest(t, { key: presenting(k, forms[0]!), subject: "CN=reuse-a", implicitConfirm: true }),
      );
      assert.ok(first.certificate, first.statusString.join("; "));
      const second = await send(
        t.ca,
        irRequest(t, { key: presenting(k, forms[1]!), subject: "CN=reuse-b", implicitConfirm: true }),
      );
      assert.equal(second.certificate, undefined);
      assert.ok(second.failInfo.includes("badCertTemplate"), second.failInfo.join(","));
      assert.match(second.statusString.join(" "), /already certified/);
    });
  }
});
