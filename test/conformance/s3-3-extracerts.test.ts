// RFC 9483 §3.3 / §3.5: the protection certificate comes first in extraCerts with the chain the
// receiver needs; without it the receiver cannot validate the sender (signerNotTrusted), both sides.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { CMPCertificates, InfoTypeAndValue, PKIMessage } from "../../src/asn1/cmp.js";
import * as oids from "../../src/asn1/oids.js";
import { genmBody } from "../../src/cmp/build/index.js";
import { ClientSession } from "../../src/cmp/client/session.js";
import { encodePKIMessage } from "../../src/cmp/message.js";
import { certEntry } from "../../src/pki/path.js";
import { createTestCa, genmRequest, send, type TestCa } from "../helpers/ca.js";
import { refused } from "./helpers.js";

/** The same message keeping only the first `keep` extraCerts (extraCerts are outside the protection). */
function keepExtraCerts(der: Uint8Array, keep: number): Uint8Array {
  const m = AsnParser.parse(der, PKIMessage);
  const certs = [...(m.extraCerts ?? [])].slice(0, keep);
  if (certs.length) m.extraCerts = new CMPCertificates(certs);
  else delete m.extraCerts;
  return encodePKIMessage(m);
}

describe("RFC 9483 §3.3 extraCerts", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());
  const signedGenm = () => genmRequest(t, [oids.id_it_caCerts], { cred: t.idevid.cred }).der;

  it("CA: control — certificate and chain in extraCerts are accepted", async () => {
    assert.equal((await send(t.ca, signedGenm())).bodyType, "genp");
  });

  it("CA: a signed request without any extraCerts -> error badMessageCheck", async () => {
    const a = await send(t.ca, keepExtraCerts(signedGenm(), 0));
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badMessageCheck"]);
    assert.match(a.statusString[0]!, /without its protection certificate/);
  });

  it("CA: the protection certificate alone passes when its issuer is a trust anchor of the CA", async () => {
    // RFC 9483 §3.3: the chain is needed only where the receiver cannot build the path without it;
    // the demo trusts the manufacturer CA directly, so the IDevID alone is enough.
    assert.equal((await send(t.ca, keepExtraCerts(signedGenm(), 1))).bodyType, "genp");
  });

  it("client: a signed answer without the CA chain -> signerNotTrusted unless the client holds it", async () => {
    const session = (untrusted: Uint8Array[], cut: boolean) =>
      new ClientSession({
        send: async (der, op) => {
          const answer = await t.ca.handle(der, { operation: op });
          return cut ? keepExtraCerts(answer, 1) : answer;
        },
        credential: {
          kind: "signature",
          key: t.idevid.key,
          certificate: t.idevid.cert,
          chain: t.idevid.chain,
        },
        trust: { anchors: [certEntry(t.root)], untrusted: untrusted.map((c) => certEntry(c)) },
        now: t.clock.now,
      });
    const body = () => genmBody([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })]);
    const opts = { operation: "getcacerts", expect: "genp" } as const;
    assert.equal((await session([], false).exchange(body(), opts)).bodyType, "genp", "with the chain");
    const e = await refused(session([], true).exchange(body(), opts));
    assert.deepEqual(e.failInfo, ["signerNotTrusted"]);
    const known = await session([t.issuing], true).exchange(body(), opts);
    assert.equal(known.bodyType, "genp", "an intermediate the client already holds is enough");
  });
});
