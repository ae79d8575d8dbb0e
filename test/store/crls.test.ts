// The CRL part of the store on every backend: published CRLs by shard and number, keyset pages of
// revoked serials, and the operator's certificate search.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../src/store/store.js";
import { BACKENDS, T0, at, cert, type Opened } from "./backends.js";

for (const backend of BACKENDS) {
  describe(`store CRLs: ${backend.name}`, () => {
    let opened: Opened;
    let store: Store;
    before(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    after(async () => {
      await store.close();
      await opened.cleanup();
    });

    it("keeps CRLs per shard; the latest is the highest crlNumber", async () => {
      const rec = (n: bigint, shard: number) => ({
        issuer: "CN=Issuing CA",
        shard,
        crlNumber: n,
        thisUpdate: at(Number(n) * 1000),
        nextUpdate: at(Number(n) * 1000 + 86_400_000),
        entries: Number(n),
        der: Uint8Array.of(0x30, Number(n)),
        createdAt: at(Number(n) * 1000),
      });
      assert.equal(await store.latestCrlInfo("CN=Issuing CA", 0), undefined);
      await store.saveCrl(rec(1n, 0));
      await store.saveCrl(rec(3n, 0));
      await store.saveCrl(rec(2n, 1));
      const latest = await store.latestCrlInfo("CN=Issuing CA", 0);
      assert.equal(latest?.crlNumber, 3n);
      assert.equal(latest?.entries, 3);
      assert.equal(latest?.thisUpdate.getTime(), at(3000).getTime());
      assert.equal((await store.latestCrlInfo("CN=Issuing CA", 1))?.crlNumber, 2n);
      const one = await store.getCrl("CN=Issuing CA", 0, 1n);
      assert.deepEqual([...one!.der], [0x30, 1]);
      assert.equal(await store.getCrl("CN=Issuing CA", 1, 1n), undefined);
    });

    it("pages revoked serials in serial order and searches certificates", async () => {
      const serials = ["0f", "a1", "03", "b7", "5c"];
      for (const [i, s] of serials.entries()) {
        await store.insertCertificate(
          cert(s, { status: "valid", profile: i % 2 ? "tls" : "default", createdAt: at(i * 60_000) }),
        );
      }
      for (const s of ["0f", "a1", "03", "b7"]) {
        await store.setCertificateStatus("CN=Issuing CA", s, "revoked", { time: at(999), reason: 1 });
      }
      const page1 = await store.revokedPage("CN=Issuing CA", "", 3);
      assert.deepEqual(
        page1.map((r) => r.serial),
        ["03", "0f", "a1"],
      );
      assert.equal(page1[0]!.reason, 1);
      const page2 = await store.revokedPage("CN=Issuing CA", page1[2]!.serial, 3);
      assert.deepEqual(
        page2.map((r) => r.serial),
        ["b7"],
      );
      const tls = await store.findCertificates({ profile: "tls" });
      assert.deepEqual(tls.map((c) => c.serial).sort(), ["a1", "b7"]);
      assert.deepEqual(
        (await store.findCertificates({ subjectContains: "DEVICE-5" })).map((c) => c.serial),
        ["5c"],
      );
      assert.deepEqual(
        (await store.findCertificates({ issuedAfter: at(120_000), issuedBefore: at(240_000) })).map(
          (c) => c.serial,
        ),
        ["03", "b7"],
      );
      assert.equal((await store.findCertificates({ serial: "A1" }))[0]?.serial, "a1");
      assert.equal((await store.findCertificates({ status: "valid" })).length, 1);
      assert.equal((await store.findCertificates({ revokedAfter: at(999) })).length, 0);
      assert.equal((await store.findCertificates({ revokedAfter: T0 })).length, 4);
      assert.equal((await store.findCertificates({ limit: 2, offset: 4 })).length, 1);
    });
  });
}
