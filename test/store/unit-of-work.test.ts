// withTransaction on every backend: all writes of a unit commit together or not at all, a refused
// write leaves the unit usable, units and plain calls of other callers never mix (SQLite queues them).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DuplicateSerialError, StoreError, type Store, type StoreSession } from "../../src/store/store.js";
import { BACKENDS, T0, at, cert, newTx, type Opened } from "./backends.js";

const ISSUER = "CN=Issuing CA";

for (const backend of BACKENDS) {
  describe(`withTransaction: ${backend.name}`, () => {
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

    it("commits every write of the unit together and returns fn's result", async () => {
      const nonce = randomBytes(16);
      const r = await store.withTransaction(async (s) => {
        await s.insertCertificate(cert("c001", { transactionId: "u1" }));
        const t = await s.createTransaction(newTx("u1", at(60_000)), T0);
        const u = await s.updateTransaction("u1", t.version, { state: "waiting-certconf" }, at(1));
        assert.equal(await s.recordNonce(nonce, at(60_000), T0), true);
        const a = await s.createApproval(
          { transactionId: "u1", requester: "kid:01", profile: "p", summary: "s", request: Uint8Array.of(1) },
          T0,
        );
        assert.equal(
          (await s.getCertificate(ISSUER, "c001"))?.serial,
          "c001",
          "the unit reads its own writes",
        );
        return { version: u.version, approval: a.id, crl: await s.nextCounter("crl") };
      });
      assert.equal(r.version, 2);
      assert.equal(r.crl, 1n);
      assert.ok(await store.getCertificate(ISSUER, "c001"));
      assert.equal((await store.getTransaction("u1"))?.state, "waiting-certconf");
      assert.equal(await store.recordNonce(nonce, at(60_000), T0), false);
      assert.equal((await store.getApproval(r.approval))?.transactionId, "u1");
      assert.equal(await store.nextCounter("crl"), 2n);
    });

    it("rolls back every write when fn throws, and rethrows its error", async () => {
      const t = await store.createTransaction(newTx("u2", at(60_000)), T0);
      const nonce = randomBytes(16);
      const boom = new Error("boom");
      await assert.rejects(
        store.withTransaction(async (s) => {
          await s.insertCertificate(cert("c002", { transactionId: "u2" }));
          await s.updateTransaction("u2", t.version, { state: "done", kemSecret: Uint8Array.of(1) }, at(1));
          await s.recordNonce(nonce, at(60_000), T0);
          await s.nextCounter("crl");
          await s.createTransaction(newTx("u2-other", at(60_000)), T0);
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal(await store.getCertificate(ISSUER, "c002"), undefined);
      const back = (await store.getTransaction("u2"))!;
      assert.equal(back.version, t.version);
      assert.equal(back.state, "x");
      assert.equal(back.kemSecret, null);
      assert.equal(await store.getTransaction("u2-other"), undefined);
      assert.equal(await store.recordNonce(nonce, at(60_000), T0), true, "the nonce was not recorded");
      assert.equal(await store.nextCounter("crl"), 3n, "the counter did not advance");
    });

    it("a refused write inside the unit leaves it usable; the other writes commit", async () => {
      await store.insertCertificate(cert("c003"));
      await store.withTransaction(async (s) => {
        await assert.rejects(s.insertCertificate(cert("c003")), DuplicateSerialError);
        await assert.rejects(s.createTransaction(newTx("u1", at(60_000)), T0), StoreError);
        await s.insertCertificate(cert("c004"));
      });
      assert.ok(await store.getCertificate(ISSUER, "c004"));
    });

    it("refuses the store itself inside fn, and the session after the unit", async () => {
      let kept: StoreSession | undefined;
      await assert.rejects(
        store.withTransaction(async (s) => {
          kept = s;
          await store.getCertificate(ISSUER, "c001");
        }),
        StoreError,
      );
      await assert.rejects(
        store.withTransaction(async () => store.withTransaction(async () => 1)),
        StoreError,
      );
      await assert.rejects(kept!.getCertificate(ISSUER, "c001"), StoreError);
      assert.ok(await store.getCertificate(ISSUER, "c001"), "the store works after a refused use");
    });

    it("another caller's writes during an open unit are neither lost nor rolled back with it", async () => {
      const t = await store.createTransaction(newTx("u5", at(60_000)), T0);
      const order: string[] = [];
      let inside!: () => void;
      const started = new Promise<void>((r) => (inside = r));
      const a = store.withTransaction(async (s) => {
        await s.insertCertificate(cert("c005a"));
        inside();
        await sleep(60);
        await s.updateTransaction("u5", t.version, { state: "done" }, at(1));
        order.push("a");
        throw new Error("unit a fails");
      });
      await started;
      const b = store.insertCertificate(cert("c005b")).then(() => order.push("b"));
      const c = store
        .withTransaction(async (s) => {
          await s.insertCertificate(cert("c005c"));
          await sleep(5);
          await s.setCertificateStatus(ISSUER, "c005c", "valid");
        })
        .then(() => order.push("c"));
      await assert.rejects(a, /unit a fails/);
      await Promise.all([b, c]);
      assert.equal(await store.getCertificate(ISSUER, "c005a"), undefined);
      assert.ok(await store.getCertificate(ISSUER, "c005b"));
      assert.equal((await store.getCertificate(ISSUER, "c005c"))?.status, "valid");
      assert.equal((await store.getTransaction("u5"))?.state, "x");
      // SQLite has one connection: the others wait until the unit has ended.
      if (backend.name === "sqlite") assert.deepEqual(order, ["a", "b", "c"]);
    });

    it("serializes units on SQLite: read, await, write with the read version never conflicts", async () => {
      if (backend.name !== "sqlite") return;
      await store.createTransaction(newTx("u6", at(60_000)), T0);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          store.withTransaction(async (s) => {
            const cur = (await s.getTransaction("u6"))!;
            await sleep(5);
            return s.updateTransaction("u6", cur.version, { state: `step-${i}` }, at(i));
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ["fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled"],
      );
      assert.equal((await store.getTransaction("u6"))?.version, 6);
    });

    it("a second store on the same SQLite file waits for the first one's unit", async () => {
      if (backend.name !== "sqlite") return;
      const other = await opened.reopen();
      try {
        let inside!: () => void;
        const started = new Promise<void>((r) => (inside = r));
        const unit = store.withTransaction(async (s) => {
          await s.insertCertificate(cert("c007a"));
          inside();
          await sleep(50);
        });
        await started;
        await other.insertCertificate(cert("c007b"));
        await unit;
        assert.ok(await store.getCertificate(ISSUER, "c007b"));
        assert.ok(await other.getCertificate(ISSUER, "c007a"));
      } finally {
        await other.close();
      }
    });

    it("a durable unit is committed and kept across reopen", async () => {
      await store.withTransaction(
        async (s) => {
          await s.createTransaction(newTx("u8", at(60_000), { kemSecret: Uint8Array.of(8) }), T0);
        },
        { durable: true },
      );
      await store.close();
      store = await opened.reopen();
      assert.deepEqual([...(await store.getTransaction("u8"))!.kemSecret!], [8]);
      assert.ok(await store.getCertificate(ISSUER, "c001"));
    });
  });
}
