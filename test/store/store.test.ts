// One suite for every store backend: SQLite (a WAL file) and PostgreSQL (a fresh schema per run).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { openStore } from "../../src/store/open.js";
import { PostgresStore } from "../../src/store/postgres.js";
import {
  ConcurrentUpdateError,
  DuplicateSerialError,
  TransactionIdInUseError,
  type CertificateRecord,
  type Store,
} from "../../src/store/store.js";
import { tempDir } from "../helpers/openssl.js";

const PG_URL = process.env.LWCMP_TEST_PG ?? "postgres://root@127.0.0.1:5432/test";

function cert(serial: string, extra: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    serial,
    issuer: "CN=Issuing CA",
    subject: `CN=device-${serial}`,
    der: randomBytes(50),
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2027-01-01T00:00:00Z"),
    status: "unconfirmed",
    profile: "default",
    requester: "kid:01",
    transactionId: "aa",
    createdAt: new Date(),
    ...extra,
  };
}

function suite(
  name: string,
  make: () => Promise<{ store: Store; reopen?: () => Promise<Store>; cleanup: () => Promise<void> }>,
) {
  describe(`store: ${name}`, () => {
    let store: Store;
    let reopen: (() => Promise<Store>) | undefined;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, reopen, cleanup } = await make());
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it("migrates idempotently", async () => {
      await store.migrate();
      await store.migrate();
    });

    it("stores and reads certificates; refuses a duplicate serial", async () => {
      const c = cert("0a1b");
      await store.insertCertificate(c);
      const back = await store.getCertificate(c.issuer, c.serial);
      assert.ok(back);
      assert.deepEqual(Buffer.from(back.der), Buffer.from(c.der));
      assert.equal(back.notAfter.getTime(), c.notAfter.getTime());
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

    it("creates transactions, refuses a live transactionID, replaces an expired one", async () => {
      const t = await store.createTransaction({
        transactionId: "t1",
        requester: "kid:01",
        kind: "ir",
        state: "waiting-certconf",
        data: Uint8Array.of(1, 2),
        lastSenderNonce: null,
        expiresAt: new Date(Date.now() + 60_000),
      });
      assert.equal(t.version, 1);
      await assert.rejects(
        store.createTransaction({ ...t, lastSenderNonce: null, expiresAt: new Date(Date.now() + 1000) }),
        TransactionIdInUseError,
      );
      await store.createTransaction({
        transactionId: "t-old",
        requester: "r",
        kind: "ir",
        state: "x",
        data: null,
        expiresAt: new Date(Date.now() - 1000),
      });
      const fresh = await store.createTransaction({
        transactionId: "t-old",
        requester: "r2",
        kind: "cr",
        state: "y",
        data: null,
        expiresAt: new Date(Date.now() + 1000),
      });
      assert.equal(fresh.requester, "r2");
    });

    it("updates transactions with optimistic versions", async () => {
      const t = (await store.getTransaction("t1"))!;
      const u = await store.updateTransaction("t1", t.version, {
        state: "done",
        lastSenderNonce: Uint8Array.of(9, 9),
      });
      assert.equal(u.version, t.version + 1);
      assert.equal(u.state, "done");
      assert.deepEqual([...u.lastSenderNonce!], [9, 9]);
      assert.deepEqual([...u.data!], [1, 2]);
      await assert.rejects(store.updateTransaction("t1", t.version, { state: "x" }), ConcurrentUpdateError);
      const racers = await Promise.allSettled(
        Array.from({ length: 10 }, () => store.updateTransaction("t1", u.version, { state: "raced" })),
      );
      assert.equal(racers.filter((r) => r.status === "fulfilled").length, 1);
      await store.deleteTransaction("t1");
      assert.equal(await store.getTransaction("t1"), undefined);
    });

    it("detects replayed nonces, also under concurrency", async () => {
      const n = randomBytes(16);
      const exp = new Date(Date.now() + 60_000);
      assert.equal(await store.recordNonce(n, exp), true);
      assert.equal(await store.recordNonce(n, exp), false);
      const m = randomBytes(16);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.recordNonce(m, exp)));
      assert.equal(results.filter(Boolean).length, 1);
      const old = randomBytes(16);
      await store.recordNonce(old, new Date(Date.now() - 1000));
      assert.equal(await store.recordNonce(old, exp), true, "an expired nonce may be used again");
    });

    it("purges expired transactions and nonces", async () => {
      await store.createTransaction({
        transactionId: "t-exp",
        requester: "r",
        kind: "ir",
        state: "x",
        data: null,
        expiresAt: new Date(Date.now() - 5),
      });
      await store.recordNonce(randomBytes(16), new Date(Date.now() - 5));
      await store.setMeta("tx:t-exp:kem", Uint8Array.of(1));
      await store.setMeta("tx:t-live:kem", Uint8Array.of(2));
      const r = await store.purgeExpired(new Date());
      assert.ok(r.transactions >= 1);
      assert.equal(
        await store.getMeta("tx:t-exp:kem"),
        undefined,
        "transaction-scoped metadata goes with the transaction",
      );
      assert.deepEqual([...(await store.getMeta("tx:t-live:kem"))!], [2]);
      assert.ok(r.nonces >= 1);
      assert.equal(await store.getTransaction("t-exp"), undefined);
    });

    it("keeps approvals and decides each once", async () => {
      const a = await store.createApproval({
        transactionId: "tx-a",
        requester: "kid:01",
        profile: "default",
        summary: "ir for CN=x",
        request: Uint8Array.of(0x30, 0),
      });
      assert.equal(a.status, "pending");
      assert.equal((await store.getApprovalByTransaction("tx-a"))?.id, a.id);
      assert.ok((await store.listApprovals("pending")).some((x) => x.id === a.id));
      assert.equal(await store.decideApproval(a.id, "rejected", "not ours"), true);
      assert.equal(await store.decideApproval(a.id, "approved"), false);
      const d = await store.getApproval(a.id);
      assert.equal(d?.status, "rejected");
      assert.equal(d?.reason, "not ours");
      assert.equal(await store.decideApproval("nope", "approved"), false);
    });

    it("counts and keeps metadata", async () => {
      assert.equal(await store.nextCounter("crl"), 1n);
      assert.equal(await store.nextCounter("crl"), 2n);
      const many = await Promise.all(Array.from({ length: 10 }, () => store.nextCounter("c2")));
      assert.deepEqual(
        many.map(Number).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(await store.getMeta("k"), undefined);
      await store.setMeta("k", Uint8Array.of(1));
      await store.setMeta("k", Uint8Array.of(2));
      assert.deepEqual([...(await store.getMeta("k"))!], [2]);
    });

    it("keeps data across close and reopen", async () => {
      if (!reopen) return;
      await store.close();
      store = await reopen();
      assert.ok(await store.getCertificate("CN=Issuing CA", "0a1b"));
    });
  });
}

const dir = tempDir();
after(() => dir.cleanup());

suite("sqlite", async () => {
  const path = join(dir.path, "store.db");
  return {
    store: await openStore(`sqlite:${path}`),
    reopen: () => openStore(`sqlite:${path}`),
    cleanup: async () => undefined,
  };
});

if (process.env.LWCMP_TEST_PG !== "off") {
  suite("postgres", async () => {
    const schema = `lwcmp_test_${randomBytes(6).toString("hex")}`;
    const url = `${PG_URL}?schema=${schema}`;
    let store: Store;
    try {
      store = await openStore(url);
    } catch (e) {
      throw new Error(
        `PostgreSQL is not reachable at ${PG_URL} (set LWCMP_TEST_PG=off to skip): ${(e as Error).message}`,
        { cause: e },
      );
    }
    return {
      store,
      reopen: () => openStore(url),
      cleanup: async () => {
        const s = await PostgresStore.connect(url);
        await s.dropSchema();
        await s.close();
      },
    };
  });
}
