// The store operations, one suite for every backend: certificates, transactions (expiry by the given
// now, optimistic versions, the KEM secret), nonces, approvals, counters, persistence.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  ConcurrentUpdateError,
  DuplicateSerialError,
  StoreError,
  TransactionIdInUseError,
  type Store,
} from "../../src/store/store.js";
import { BACKENDS, T0, at, cert, newTx, type Opened } from "./backends.js";

for (const backend of BACKENDS) {
  describe(`store: ${backend.name}`, () => {
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

    it("migrates idempotently, with or without a time", async () => {
      await store.migrate(T0);
      await store.migrate();
    });

    it("finds the certificates of one public key by its SPKI hash among many", async () => {
      for (let i = 0; i < 20; i++)
        await store.insertCertificate(cert(`5a${i.toString(16).padStart(2, "0")}`, { spkiHash: `h${i}` }));
      const found = await store.findCertificates({ spkiHash: "h13" });
      assert.deepEqual(
        found.map((c) => [c.serial, c.spkiHash]),
        [["5a0d", "h13"]],
      );
      assert.deepEqual(await store.findCertificates({ spkiHash: "nothing" }), []);
    });

    it("returns exactly the limit asked for, in issue order, from the offset", async () => {
      for (let i = 0; i < 7; i++)
        await store.insertCertificate(cert(`5c0${i}`, { spkiHash: "paged", createdAt: at(1000 + i) }));
      const page = async (limit?: number, offset?: number) =>
        (await store.findCertificates({ spkiHash: "paged", limit, offset })).map((c) => c.serial);
      assert.deepEqual(await page(3), ["5c00", "5c01", "5c02"]);
      assert.deepEqual(await page(3, 5), ["5c05", "5c06"]);
      assert.deepEqual(await page(5, 1), ["5c01", "5c02", "5c03", "5c04", "5c05"]);
      assert.deepEqual(await page(0), []);
      assert.equal((await page()).length, 7);
    });

    it("keeps the RA that forwarded a request and finds the certificates it forwarded", async () => {
      const ra = "CN=RA 1,O=lwcmp demo";
      await store.insertCertificate(cert("5b01", { forwardedBy: ra }));
      await store.insertCertificate(cert("5b02"));
      await store.insertCertificate(cert("5b03", { forwardedBy: "CN=RA 2" }));
      assert.equal((await store.getCertificate("CN=Issuing CA", "5b01"))!.forwardedBy, ra);
      assert.equal((await store.getCertificate("CN=Issuing CA", "5b02"))!.forwardedBy, undefined);
      assert.deepEqual(
        (await store.findCertificates({ forwardedBy: ra })).map((c) => [c.serial, c.forwardedBy]),
        [["5b01", ra]],
      );
    });

    it("stores and reads certificates; refuses a duplicate serial", async () => {
      const c = cert("0a1b");
      await store.insertCertificate(c);
      const back = await store.getCertificate(c.issuer, c.serial);
      assert.ok(back);
      assert.deepEqual(Buffer.from(back.der), Buffer.from(c.der));
      assert.equal(back.notAfter.getTime(), c.notAfter.getTime());
      assert.equal(back.createdAt.getTime(), T0.getTime());
      assert.equal(back.status, "unconfirmed");
      await assert.rejects(store.insertCertificate(cert("0a1b")), DuplicateSerialError);
      assert.equal(await store.getCertificate(c.issuer, "ffff"), undefined);
    });

    it("changes status, revokes and lists revoked certificates", async () => {
      await store.insertCertificate(cert("0b01"));
      await store.insertCertificate(cert("0b02"));
      assert.equal(await store.setCertificateStatus("CN=Issuing CA", "0b01", "valid"), true);
      const when = new Date("2026-06-01T00:00:00Z");
      assert.equal(
        await store.setCertificateStatus("CN=Issuing CA", "0b02", "revoked", { time: when, reason: 1 }),
        true,
      );
      assert.equal(
        await store.setCertificateStatus("CN=Issuing CA", "dead", "revoked", { time: when }),
        false,
      );
      const revoked = await store.listRevoked("CN=Issuing CA");
      assert.deepEqual(
        revoked.map((r) => r.serial),
        ["0b02"],
      );
      assert.equal(revoked[0]!.revocationReason, 1);
      assert.equal(revoked[0]!.revocationTime?.getTime(), when.getTime());
      const valid = await store.findCertificates({ status: "valid" });
      assert.ok(valid.some((r) => r.serial === "0b01"));
      assert.deepEqual(
        (await store.findCertificates({ subject: "CN=device-0b02" })).map((r) => r.serial),
        ["0b02"],
      );
    });

    it("creates transactions with the given time; refuses a live transactionID", async () => {
      const t = await store.createTransaction(
        newTx("t1", at(60_000), {
          state: "waiting-certconf",
          data: Uint8Array.of(1, 2),
          lastSenderNonce: null,
        }),
        T0,
      );
      assert.equal(t.version, 1);
      assert.equal(t.createdAt.getTime(), T0.getTime());
      assert.equal(t.updatedAt.getTime(), T0.getTime());
      assert.equal(t.kemSecret, null);
      await assert.rejects(store.createTransaction(newTx("t1", at(120_000)), T0), TransactionIdInUseError);
    });

    it("reuses a transactionID exactly when the given now has reached expiresAt", async () => {
      const exp = at(10_000);
      await store.createTransaction(
        newTx("t-reuse", exp, {
          requester: "r1",
          state: "waiting-certconf",
          data: Uint8Array.of(1),
          lastSenderNonce: Uint8Array.of(2),
          kemSecret: Uint8Array.of(3),
        }),
        T0,
      );
      await assert.rejects(
        store.createTransaction(newTx("t-reuse", at(20_000), { requester: "r2" }), at(9_999)),
        TransactionIdInUseError,
        "not yet expired one millisecond before expiresAt",
      );
      assert.equal((await store.getTransaction("t-reuse"))?.requester, "r1");
      const fresh = await store.createTransaction(newTx("t-reuse", at(20_000), { requester: "r2" }), exp);
      assert.equal(fresh.requester, "r2");
      assert.equal(fresh.version, 1);
      // Nothing of the expired record survives in the new one.
      assert.equal(fresh.state, "x");
      assert.equal(fresh.data, null);
      assert.equal(fresh.kemSecret, null);
      assert.ok(!fresh.lastSenderNonce, "no senderNonce of the expired record");
      assert.deepEqual(await store.getTransaction("t-reuse"), fresh);
      assert.equal(fresh.createdAt.getTime(), exp.getTime());
    });

    it("finds open transactions in one state, least recently updated first, at most the limit", async () => {
      for (const [id, state, updated] of [
        ["held-b", "waiting-delayed", 3_000],
        ["held-a", "waiting-delayed", 1_000],
        ["held-c", "waiting-delayed", 2_000],
        ["other", "forwarded", 500],
      ] as const) {
        await store.createTransaction(newTx(id, at(3_600_000), { state }), at(updated));
      }
      await store.createTransaction(newTx("held-old", at(5_000), { state: "waiting-delayed" }), T0);
      const ids = async (limit: number, now = at(10_000)) =>
        (await store.findTransactionsInState("waiting-delayed", now, limit)).map((t) => t.transactionId);
      assert.deepEqual(
        await ids(10),
        ["held-a", "held-c", "held-b"],
        "expired ones and other states left out",
      );
      assert.deepEqual(await ids(2), ["held-a", "held-c"]);
      const a = (await store.getTransaction("held-a"))!;
      await store.updateTransaction("held-a", a.version, { data: Uint8Array.of(9) }, at(4_000));
      assert.deepEqual(await ids(10), ["held-c", "held-b", "held-a"], "an update moves it to the end");
      assert.deepEqual(await ids(10, at(4_000)), ["held-old", "held-c", "held-b", "held-a"]);
    });

    it("updates transactions with optimistic versions and the given time", async () => {
      const t = (await store.getTransaction("t1"))!;
      const u = await store.updateTransaction(
        "t1",
        t.version,
        { state: "done", lastSenderNonce: Uint8Array.of(9, 9) },
        at(5_000),
      );
      assert.equal(u.version, t.version + 1);
      assert.equal(u.state, "done");
      assert.equal(u.updatedAt.getTime(), at(5_000).getTime());
      assert.equal(u.createdAt.getTime(), T0.getTime());
      assert.deepEqual([...u.lastSenderNonce!], [9, 9]);
      assert.deepEqual([...u.data!], [1, 2]);
      await assert.rejects(
        store.updateTransaction("t1", t.version, { state: "x" }, T0),
        ConcurrentUpdateError,
      );
      await assert.rejects(
        store.updateTransaction("t-none", 1, { state: "x" }, T0),
        (e) => e instanceof StoreError && !(e instanceof ConcurrentUpdateError),
      );
      const racers = await Promise.allSettled(
        Array.from({ length: 10 }, () => store.updateTransaction("t1", u.version, { state: "raced" }, T0)),
      );
      assert.equal(racers.filter((r) => r.status === "fulfilled").length, 1);
      await store.deleteTransaction("t1");
      assert.equal(await store.getTransaction("t1"), undefined);
    });

    it("keeps the KEM secret as opaque bytes of the transaction: set, kept, replaced, cleared", async () => {
      const secret = randomBytes(32);
      const t = await store.createTransaction(newTx("t-kem", at(60_000), { kemSecret: secret }), T0);
      assert.deepEqual(Buffer.from(t.kemSecret!), secret);
      assert.deepEqual(Buffer.from((await store.getTransaction("t-kem"))!.kemSecret!), secret);
      const kept = await store.updateTransaction("t-kem", t.version, { state: "y" }, T0);
      assert.deepEqual(Buffer.from(kept.kemSecret!), secret, "a patch without kemSecret keeps it");
      const other = randomBytes(48);
      const replaced = await store.updateTransaction("t-kem", kept.version, { kemSecret: other }, T0);
      assert.deepEqual(Buffer.from((await store.getTransaction("t-kem"))!.kemSecret!), other);
      await store.updateTransaction("t-kem", replaced.version, { kemSecret: null }, T0);
      assert.equal((await store.getTransaction("t-kem"))!.kemSecret, null);
      const plain = await store.createTransaction(newTx("t-nokem", at(30 * 86_400_000)), T0);
      const set = await store.updateTransaction(
        "t-nokem",
        plain.version,
        { kemSecret: Uint8Array.of(7) },
        T0,
      );
      assert.deepEqual([...set.kemSecret!], [7]);
    });

    it("detects replayed nonces within the window given by now, also under concurrency", async () => {
      const n = randomBytes(16);
      const exp = at(60_000);
      assert.equal(await store.recordNonce(n, exp, T0), true);
      assert.equal(await store.recordNonce(n, exp, T0), false);
      assert.equal(await store.recordNonce(n, at(120_000), at(59_999)), false, "still inside the window");
      assert.equal(await store.recordNonce(n, at(120_000), exp), true, "usable again once expired at now");
      assert.equal(await store.recordNonce(n, at(180_000), at(119_999)), false, "the new window counts");
      const m = randomBytes(16);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.recordNonce(m, exp, T0)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it("tells a recorded nonce by a read, within its window only; a unit of work that fails records none", async () => {
      const n = randomBytes(16);
      assert.equal(await store.nonceSeen(n, T0), false);
      await store.recordNonce(n, at(60_000), T0);
      assert.equal(await store.nonceSeen(n, at(59_999)), true);
      assert.equal(await store.nonceSeen(n, at(60_000)), false, "expired at now");
      const m = randomBytes(16);
      await assert.rejects(
        store.withTransaction(async (s) => {
          await s.recordNonce(m, at(60_000), T0);
          throw new Error("the answer could not be stored");
        }),
      );
      assert.equal(await store.nonceSeen(m, T0), false);
    });

    it("purges only what is expired at the given now", async () => {
      const base = at(86_400_000);
      await store.createTransaction(newTx("p-old", base, { kemSecret: Uint8Array.of(1) }), T0);
      await store.createTransaction(newTx("p-live", at(86_400_001)), T0);
      const nOld = randomBytes(16);
      const nLive = randomBytes(16);
      await store.recordNonce(nOld, base, T0);
      await store.recordNonce(nLive, at(86_400_001), T0);
      const earlier = await store.purgeExpired(at(86_399_999));
      assert.ok(earlier.transactions >= 1, "the transactions of the earlier cases expired before");
      assert.ok(await store.getTransaction("p-old"), "not expired a millisecond before expiresAt");
      const r = await store.purgeExpired(base);
      assert.equal(await store.getTransaction("p-old"), undefined);
      assert.ok(await store.getTransaction("p-live"));
      assert.equal(r.transactions, 1);
      assert.equal(r.nonces, 1);
      assert.equal(await store.recordNonce(nLive, at(90_000_000), base), false, "a live nonce stays");
      assert.equal(await store.recordNonce(nOld, at(90_000_000), base), true);
    });

    it("keeps approvals with the given times and decides each once", async () => {
      const a = await store.createApproval(
        {
          transactionId: "tx-a",
          requester: "kid:01",
          profile: "default",
          summary: "ir for CN=x",
          request: Uint8Array.of(0x30, 0),
        },
        T0,
      );
      assert.equal(a.status, "pending");
      assert.equal(a.createdAt.getTime(), T0.getTime());
      assert.equal((await store.getApprovalByTransaction("tx-a"))?.id, a.id);
      assert.ok((await store.listApprovals("pending")).some((x) => x.id === a.id));
      assert.equal(await store.decideApproval(a.id, "rejected", "not ours", at(1_000)), true);
      assert.equal(await store.decideApproval(a.id, "approved", undefined, at(2_000)), false);
      const d = await store.getApproval(a.id);
      assert.equal(d?.status, "rejected");
      assert.equal(d?.reason, "not ours");
      assert.equal(d?.decidedAt?.getTime(), at(1_000).getTime());
      assert.ok(!(await store.listApprovals("pending")).some((x) => x.id === a.id));
      assert.equal(await store.decideApproval("nope", "approved", undefined, T0), false);
    });

    it("counts CRL numbers from 1, without gaps or repeats under concurrency", async () => {
      assert.equal(await store.nextCounter("crl"), 1n);
      assert.equal(await store.nextCounter("crl"), 2n);
      const many = await Promise.all(Array.from({ length: 10 }, () => store.nextCounter("c2")));
      assert.deepEqual(
        many.map(Number).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(await store.nextCounter("crl"), 3n);
    });

    it("keeps data across close and reopen", async () => {
      await store.close();
      store = await opened.reopen();
      assert.ok(await store.getCertificate("CN=Issuing CA", "0a1b"));
      assert.deepEqual([...(await store.getTransaction("t-nokem"))!.kemSecret!], [7]);
      assert.equal(await store.nextCounter("crl"), 4n);
    });
  });
}
