// The RA in each forwarding mode (RFC 9483 §5.2) in front of the lwcmp CA in process: requests and their
// continuations pass unchanged, refused requesters and an unreachable upstream get well-formed errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RegistrationAuthority, type InventoryHook } from "../../src/ra/index.js";
import { parseName, nameToString } from "../../src/pki/names.js";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { openStore } from "../../src/store/open.js";
import type { Store } from "../../src/store/store.js";
import {
  certConfFor,
  createTestCa,
  irRequest,
  rrRequest,
  enrolled,
  serialOf,
  summarize,
  type TestCa,
} from "../helpers/ca.js";
import { raFromYaml } from "../helpers/ra.js";

async function forwardingRa(
  t: TestCa,
  patch: (y: string) => string = (y) => y,
  down = false,
  mode = "forward",
  hook?: InventoryHook,
) {
  const yaml = patch(t.files["ra.yaml"]!.replace("mode: reprotect", `mode: ${mode}`));
  const { policy, materials } = raFromYaml(t, yaml);
  const store: Store = await openStore("sqlite::memory:");
  const sent: string[] = [];
  const ra = new RegistrationAuthority({
    policy,
    materials,
    store,
    now: t.clock.now,
    hook,
    send: (_name, der, { operation, profile }) => {
      if (down) return Promise.reject(new Error("connection refused"));
      sent.push(operation);
      return t.ca.handle(der, { operation, profile });
    },
  });
  return { ra, store, sent };
}

for (const mode of ["forward", "reprotect", "raverified", "nest"])
  describe(`an RA in mode ${mode} (RFC 9483 §5.2)`, () => {
    let t: TestCa;
    before(async () => {
      t = await createTestCa();
    });
    after(() => t.close());

    it("passes an ir (MAC) and its certConf through and returns the CA's answers unchanged", async () => {
      const { ra, store, sent } = await forwardingRa(t, undefined, false, mode);
      const req = irRequest(t, { cred: t.mac, subject: `CN=fwd-ee-${mode}` });
      const raw = await ra.handle(req.der, { operation: "initialization" });
      const ip = summarize(raw);
      assert.equal(ip.bodyType, "ip");
      assert.ok(ip.certificate, ip.statusString.join("; "));
      const conf = await ra.handle(certConfFor(t, ip, { cred: t.mac }).der, { operation: "initialization" });
      assert.equal(summarize(conf).bodyType, "pkiconf");
      const path = mode === "nest" ? "nested" : "initialization";
      assert.deepEqual(sent, [path, path]);
      const rec = await store.getTransaction(Buffer.from(req.transactionID!).toString("hex"));
      assert.equal(rec?.state, "done");
      await store.close();
    });

    it("the CA stores the RA that passed the request on; unchanged forwarding leaves no trace", async () => {
      const { ra, store } = await forwardingRa(t, undefined, false, mode);
      const req = irRequest(t, { cred: t.mac, subject: `CN=fwd-by-${mode}`, implicitConfirm: true });
      const ip = summarize(await ra.handle(req.der, { operation: "initialization" }));
      assert.ok(ip.certificate, ip.statusString.join("; "));
      const issuer = nameToString(AsnParser.parse(t.issuing, Certificate).tbsCertificate.subject);
      const rec = await t.store.getCertificate(issuer, serialOf(ip.certificate));
      // RFC 9483 §5.2.1: a message forwarded unchanged is the EE's own to the CA.
      assert.equal(rec!.forwardedBy, mode === "forward" ? undefined : "CN=Demo RA,O=lwcmp demo");
      await store.close();
    });

    it("forwards an rr signed by the EE", async () => {
      const { ra, store } = await forwardingRa(t, undefined, false, mode);
      const ee = await enrolled(t, `CN=fwd-revoke-${mode}`);
      const rp = summarize(await ra.handle(rrRequest(t, { cred: ee.cred, cert: ee.cert }).der));
      assert.equal(rp.bodyType, "rp");
      assert.equal(rp.status, 0, rp.statusString.join("; "));
      await store.close();
    });

    it("refuses a requester kind the route does not list", async () => {
      const { ra, store, sent } = await forwardingRa(
        t,
        (y) => y.replace(`mode: ${mode}`, `mode: ${mode}\n    requesters: [external]`),
        false,
        mode,
      );
      const a = summarize(await ra.handle(irRequest(t, { cred: t.mac }).der));
      assert.ok(a.failInfo.includes("notAuthorized"), a.statusString.join("; "));
      assert.deepEqual(sent, []);
      await store.close();
    });

    it("answers systemFailure when the upstream is not reachable and delayed delivery is off", async () => {
      const noRetry = (y: string) =>
        y.replace(
          "      trust: [root-ca.crt]\n",
          "      trust: [root-ca.crt]\n      retry: { giveUpAfter: 0 }\n",
        );
      const { ra, store } = await forwardingRa(t, noRetry, true, mode);
      const a = summarize(await ra.handle(irRequest(t, { cred: t.mac }).der));
      assert.ok(a.failInfo.includes("systemFailure"));
      assert.match(a.statusString.join(" "), /upstream ca is not reachable/);
      await store.close();
    });
  });

describe("the inventory hook at the RA", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());
  const withHook = (y: string) =>
    y.replace("defaults:\n    mode: raverified", "defaults:\n    mode: raverified\n    hook: true");

  it("a rejection reaches the EE as notAuthorized with the hook's reason; nothing goes upstream", async () => {
    const hook: InventoryHook = () =>
      Promise.resolve({ decision: "reject", reason: "serial 42 is not in the inventory" });
    const { ra, store, sent } = await forwardingRa(t, withHook, false, "raverified", hook);
    const a = summarize(await ra.handle(irRequest(t, { cred: t.mac, subject: "CN=unknown" }).der));
    assert.deepEqual(a.failInfo, ["notAuthorized"]);
    assert.match(a.statusString.join(" "), /serial 42 is not in the inventory/);
    assert.deepEqual(sent, []);
    await store.close();
  });

  it("a changed template on a raVerified route is what the CA certifies", async () => {
    const modify: InventoryHook = async (r) => {
      const { decodePKIMessage } = await import("../../src/cmp/message.js");
      const tpl = decodePKIMessage(r.message).message.body.ir![0]!.certReq.certTemplate;
      tpl.subject = parseName("CN=plant-4-device,O=lwcmp demo");
      return { decision: "modify", template: tpl };
    };
    const { ra, store } = await forwardingRa(t, withHook, false, "raverified", modify);
    const a = summarize(
      await ra.handle(irRequest(t, { cred: t.mac, subject: "CN=device", implicitConfirm: true }).der),
    );
    assert.ok(a.certificate, a.statusString.join("; "));
    const subject = nameToString(AsnParser.parse(a.certificate, Certificate).tbsCertificate.subject);
    assert.equal(subject, "CN=plant-4-device,O=lwcmp demo");
    await store.close();
  });
});

describe("an RA batching requests (RFC 9483 §5.2.2.2)", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("sends 50 EE requests in one nested message and gives each EE its own answer, then batches their certConf", async () => {
    const batched = (y: string) =>
      y.replace(
        "      trust: [root-ca.crt]\n    # the same CA",
        "      trust: [root-ca.crt]\n      batch: { maxMessages: 50, maxWait: 30s }\n    # the same CA",
      );
    const { ra, store, sent } = await forwardingRa(t, batched, false, "batch");
    const creds = Array.from({ length: 50 }, (_, i) => (i % 2 ? t.mac : t.idevid.cred));
    const reqs = creds.map((cred, i) => irRequest(t, { cred, subject: `CN=batch-${i}` }));
    const answers = await Promise.all(reqs.map((r) => ra.handle(r.der).then(summarize)));
    assert.deepEqual(sent, ["nested"], "one upstream message for the whole batch");
    answers.forEach((a, i) => {
      assert.equal(a.bodyType, "ip");
      assert.ok(a.certificate, a.statusString.join("; "));
      const subject = nameToString(AsnParser.parse(a.certificate, Certificate).tbsCertificate.subject);
      assert.equal(subject, `CN=batch-${i}`, "each EE gets the answer to its own request");
    });
    const confs = await Promise.all(
      answers.map((a, i) => ra.handle(certConfFor(t, a, { cred: creds[i] }).der).then(summarize)),
    );
    assert.deepEqual(sent, ["nested", "nested"]);
    assert.ok(confs.every((c) => c.bodyType === "pkiconf"));
    await store.close();
  });
});
