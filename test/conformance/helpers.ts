// What the RFC 9483 conformance tests add to test/helpers/ca.ts: MAC protection with parameters no
// conforming sender would choose (computed here by hand), re-protection of the CA's answers for the
// client-side tests, and the CA with the strict receiver rules switched on.
import { createHash, createHmac } from "node:crypto";
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import type { PKIMessage } from "../../src/asn1/cmp.js";
import { PBMParameter } from "../../src/asn1/itav.js";
import * as oids from "../../src/asn1/oids.js";
import { CmpClientError } from "../../src/cmp/client/errors.js";
import { decodePKIMessage, encodePKIMessage, encodeProtectedPart } from "../../src/cmp/message.js";
import assert from "node:assert/strict";
import { createTestCa, type TestCa } from "../helpers/ca.js";

const te = new TextEncoder();

/**
 * Protects `m` with PasswordBasedMac (RFC 9810 §5.1.3.1; sha256 OWF, hmac-sha256) under any salt and
 * iteration count, bypassing the sender-side floor of src/cmp/protection.ts.
 */
export function pbmProtect(
  m: PKIMessage,
  secret: string | Uint8Array,
  o: { salt: Uint8Array; iterations: number; senderKID?: string },
): Uint8Array {
  const param = new PBMParameter({
    salt: o.salt.slice().buffer,
    owf: new AlgorithmIdentifier({ algorithm: "2.16.840.1.101.3.4.2.1" }),
    iterationCount: o.iterations,
    mac: new AlgorithmIdentifier({
      algorithm: "1.2.840.113549.2.9",
      parameters: new Uint8Array([5, 0]).buffer,
    }),
  });
  m.header.protectionAlg = new AlgorithmIdentifier({
    algorithm: oids.id_PasswordBasedMac,
    parameters: AsnSerializer.serialize(param),
  });
  if (o.senderKID) m.header.senderKID = te.encode(o.senderKID).slice().buffer;
  const s = typeof secret === "string" ? te.encode(secret) : secret;
  let key = createHash("sha256").update(s).update(o.salt).digest();
  for (let i = 1; i < o.iterations; i++) key = createHash("sha256").update(key).digest();
  const value = createHmac("sha256", key).update(encodeProtectedPart(m)).digest();
  m.protection = new BitString(new Uint8Array(value));
  return encodePKIMessage(m);
}

/** A request built by the ca.ts helpers, MAC-protected again with the given salt and iteration count. */
export function withPbm(t: TestCa, der: Uint8Array, o: { salt: Uint8Array; iterations: number }): Uint8Array {
  const m = decodePKIMessage(der).message;
  delete m.protection;
  return pbmProtect(m, t.secrets.secret, { ...o, senderKID: t.secrets.kid });
}

/** The iteration count and salt length of a PBM-protected message. */
export function pbmParams(der: Uint8Array): { iterations: number; saltBytes: number; owf: string } {
  const alg = decodePKIMessage(der).message.header.protectionAlg!;
  assert.equal(alg.algorithm, oids.id_PasswordBasedMac);
  const p = AsnParser.parse(alg.parameters!, PBMParameter);
  return { iterations: p.iterationCount, saltBytes: p.salt.byteLength, owf: p.owf.algorithm };
}

/** The demo CA with `policy.strict` set (RFC 9483 §3.1 sender sizes, senderKID required). */
export function createStrictCa(): Promise<TestCa> {
  return createTestCa({
    configPatch: (yaml) =>
      yaml.replace(/^policy:\n/m, "policy:\n  strict:\n    minNonceBytes: 16\n    requireSenderKID: true\n"),
  });
}

/** Awaits a refusal by the client and returns it. */
export async function refused(p: Promise<unknown>): Promise<CmpClientError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CmpClientError, String(e));
    return e;
  }
  assert.fail("expected a CmpClientError");
}

export { reprotect } from "../helpers/reprotect.js";
