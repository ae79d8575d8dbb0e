// The fast DER path and the schema path agree: on every OpenSSL fixture and on seeded mutations of
// them, both accept with identical results (encodings and deep-equal objects) or both reject (the fast
// path may only be stricter on DER).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { MessageDecodeError } from "../../src/cmp/errors.js";
import { decodePKIMessage, decodePKIMessageSchema, type DecodedMessage } from "../../src/cmp/message.js";
import { mutateByte, prng, wellFormedTree } from "../helpers/der-mutation.js";

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), "../../../test/fixtures/openssl");
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".der"))
  .map((f) => ({ name: f, der: new Uint8Array(readFileSync(join(fixtureDir, f))) }));

type Outcome = { ok: true; value: DecodedMessage } | { ok: false; error: Error };

function outcome(decode: (der: Uint8Array) => DecodedMessage, der: Uint8Array): Outcome {
  try {
    return { ok: true, value: decode(der) };
  } catch (e) {
    assert.ok(e instanceof MessageDecodeError, `only MessageDecodeError may escape, got ${String(e)}`);
    return { ok: false, error: e };
  }
}

/** The re-encoding of a decoded value, or the serialiser's complaint (e.g. about an invalid OID). */
function encoded(value: object): string {
  try {
    return Buffer.from(AsnSerializer.serialize(value)).toString("hex");
  } catch (e) {
    return `unserialisable: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Everything a caller can observe of a decoded message, as comparable bytes. */
function observable(d: DecodedMessage) {
  return {
    header: encoded(d.message.header),
    body: encoded(d.message.body),
    message: encoded(d.message),
    bodyType: d.bodyType,
    der: Buffer.from(d.der).toString("hex"),
    protectedPart: Buffer.from(d.protectedPart).toString("hex"),
    extraCerts: d.extraCerts.map((e) => Buffer.from(e.der).toString("hex")),
  };
}

/**
 * What the schema parser tolerates and the fast reader refuses: non-DER encodings, and more than one
 * element inside an EXPLICIT tag, in the header or around the protection (the schema parser ignores the rest).
 */
const STRICTER =
  /not DER|leading zero|long-form length|unexpected byte\(s\) after (a PKIHeader field|PKIProtection)/;

/**
 * The schema parser is loose about tags: it takes e.g. a [16] for a SEQUENCE, a constructed for a
 * primitive encoding, or any constructed context-specific tag for the PKIHeader SEQUENCE. The fast
 * reader refuses such a tag; this names that case.
 */
function tagConfusion(message: string): boolean {
  const m = /expected tag 0x([0-9a-f]{2}), found 0x([0-9a-f]{2})/.exec(message);
  if (!m) return false;
  const [expected, found] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
  const sameNumber = (expected & 0x1f) === (found & 0x1f);
  const contextForConstructed = expected === 0x30 && (found & 0xe0) === 0xa0;
  return sameNumber || contextForConstructed;
}

function compare(der: Uint8Array, label: string): "accepted" | "rejected" | "stricter" {
  const fast = outcome(decodePKIMessage, der);
  const schema = outcome(decodePKIMessageSchema, der);
  if (fast.ok && schema.ok) {
    assert.deepEqual(observable(fast.value), observable(schema.value), label);
    // The objects themselves, not only their encodings (an absent and a FALSE field serialise alike).
    assert.deepStrictEqual(fast.value.message.header, schema.value.message.header, `${label}: header`);
    assert.deepStrictEqual(fast.value.message.body, schema.value.message.body, `${label}: body`);
    return "accepted";
  }
  if (!fast.ok && !schema.ok) return "rejected";
  assert.ok(
    !fast.ok &&
      (STRICTER.test(fast.error.message) || tagConfusion(fast.error.message) || !wellFormedTree(der)),
    `${label}: fast ${fast.ok ? "accepts" : `rejects (${fast.error.message})`}, schema ${schema.ok ? "accepts" : `rejects (${schema.error.message})`}`,
  );
  return "stricter";
}

describe("fast DER path against the schema path", () => {
  it("agrees on every OpenSSL fixture, byte for byte", () => {
    assert.ok(fixtures.length >= 20);
    for (const f of fixtures) assert.equal(compare(f.der, f.name), "accepted", f.name);
  });

  it("agrees on 300 seeded mutations of each fixture", () => {
    const counts = { accepted: 0, rejected: 0, stricter: 0 };
    const rnd = prng(0x9483);
    for (const f of fixtures) {
      for (let i = 0; i < 300; i++) counts[compare(mutateByte(f.der, rnd), `${f.name} mutation ${i}`)]++;
    }
    // Mutations must reach both outcomes, or the comparison proves nothing.
    assert.ok(counts.accepted > 100, `accepted ${counts.accepted}`);
    assert.ok(counts.rejected > 1000, `rejected ${counts.rejected}`);
  });

  it("both paths refuse a non-minimal length (the DER walker under the schema path is strict too)", () => {
    const ok = fixtures[0]!.der;
    // Re-encode the outer length with one extra leading zero octet.
    const n = ok[1]! & 0x7f;
    const widened = new Uint8Array([0x30, 0x80 | (n + 1), 0, ...ok.subarray(2)]);
    assert.equal(compare(widened, "widened"), "rejected");
  });

  it("the fast path refuses a context tag in place of the PKIHeader SEQUENCE", () => {
    const ok = fixtures[0]!.der;
    const at = ok[1]! & 0x80 ? 2 + (ok[1]! & 0x7f) : 2;
    const wrong = ok.slice();
    wrong[at] = 0xae;
    assert.equal(outcome(decodePKIMessageSchema, wrong).ok, true, "the schema path takes [14]");
    assert.equal(compare(wrong, "[14] header"), "stricter");
  });
});
