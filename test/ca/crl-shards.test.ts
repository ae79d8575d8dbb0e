// Partitioned CRLs: revoked serials land in the CRL of their shard, each naming its distribution
// point; publication is due when none exists, after a revocation, and after the interval.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrlPublisher } from "../../src/ca/crl/publisher.js";
import { shardOf } from "../../src/ca/crl/shard.js";
import { caPolicyFromConfig } from "../../src/config/policy.js";
import { parseCrl } from "../../src/pki/crl.js";
import { createTestCa } from "../helpers/ca.js";

describe("CRL shards", () => {
  it("splits revoked serials by shard and names each shard's distribution point", async () => {
    const t = await createTestCa({
      configPatch: (y) =>
        y.replace(
          "ca:\n",
          'ca:\n  name: sharded\n  crl:\n    shards: 2\n    interval: 1h\n    distributionPoints: ["http://pki.example/crl/sharded-{shard}.crl"]\n',
        ),
    });
    try {
      const pub = new CrlPublisher({
        materials: t.materials,
        policy: caPolicyFromConfig(t.config),
        store: t.store,
      });
      assert.equal(await pub.due(t.clock.now()), "no CRL of shard 0 yet");
      const serials = [
        "4000000000000000000000000000a000",
        "4000000000000000000000000000a001",
        "4000000000000000000000000000a002",
      ];
      for (const serial of serials) {
        await t.store.insertCertificate({
          serial,
          issuer: pub.issuer,
          subject: `CN=${serial}`,
          der: Uint8Array.of(0x30, 0),
          notBefore: t.clock.now(),
          notAfter: t.clock.now(),
          status: "valid",
          profile: "default",
          createdAt: t.clock.now(),
        });
        await t.store.setCertificateStatus(pub.issuer, serial, "revoked", { time: t.clock.now(), reason: 4 });
      }
      assert.equal(await pub.due(t.clock.now()), "no CRL of shard 0 yet");
      // Revocations within 2 s before a publication make the next check publish once more.
      t.clock.advance(5_000);
      const infos = await pub.publish(t.clock.now());
      assert.deepEqual(
        infos.map((i) => i.entries),
        [2, 1],
      );
      for (const shard of [0, 1]) {
        const crl = parseCrl((await pub.latest(shard))!.der);
        assert.deepEqual(crl.distributionPoint, [`http://pki.example/crl/sharded-${shard}.crl`]);
        assert.deepEqual(
          [...crl.revoked.keys()],
          serials.filter((s) => shardOf(s, 2) === shard),
        );
        assert.equal(pub.path(shard), `/crl/sharded-${shard}.crl`);
      }
      t.clock.advance(10_000);
      assert.equal(await pub.due(t.clock.now()), undefined);
      await t.store.setCertificateStatus(pub.issuer, serials[0]!, "revoked", {
        time: t.clock.now(),
        reason: 1,
      });
      assert.equal(await pub.due(t.clock.now()), "a certificate was revoked");
      t.clock.advance(3_600_000);
      assert.equal(await pub.due(t.clock.now()), "the interval has passed");
      const again = await pub.publish(t.clock.now());
      assert.ok(again[0]!.crlNumber > infos[1]!.crlNumber);
    } finally {
      await t.close();
    }
  });
});
