// The OCSP response store on both backends: the joined read, the upsert, and which certificates are due.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { OcspResponseRecord, Store } from "../../src/store/store.js";
import { BACKENDS, T0, at, cert, type Opened } from "./backends.js";

const HOUR = 3_600_000;
const ISSUER = "CN=Issuing CA";

function response(serial: string, extra: Partial<OcspResponseRecord> = {}): OcspResponseRecord {
  return {
    issuer: ISSUER,
    serial,
    hashAlgorithm: "sha256",
    certStatus: "good",
    revocationTime: undefined,
    revocationReason: undefined,
    der: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00),
    producedAt: T0,
    thisUpdate: T0,
    nextUpdate: at(24 * HOUR),
    ...extra,
  };
}

for (const backend of BACKENDS) {
  describe(`OCSP store: ${backend.name}`, () => {
    let opened: Opened;
    let store: Store;
    const due = async (now = T0, refreshBefore = at(HOUR)) =>
      (await store.listOcspDue(ISSUER, "sha256", refreshBefore, now, 100)).map((c) => c.serial).sort();
    before(async () => {
      opened = await backend.open();
      store = opened.store;
      await store.insertCertificate(cert("01", { status: "valid" }));
      await store.insertCertificate(cert("02", { status: "valid" }));
      await store.insertCertificate(cert("03", { status: "valid", notAfter: at(-1000) }));
    });
    after(async () => {
      await store.close();
      await opened.cleanup();
    });

    it("reads a certificate's status without a response, then with it; unknown serials are undefined", async () => {
      assert.equal(await store.getOcspEntry(ISSUER, "ff", "sha256"), undefined);
      const e = await store.getOcspEntry(ISSUER, "01", "sha256");
      assert.equal(e?.certificate.status, "valid");
      assert.equal(e?.response, undefined);
      await store.putOcspResponse(response("01"));
      const e2 = await store.getOcspEntry(ISSUER, "01", "sha256");
      assert.deepEqual(e2?.response, response("01"));
      assert.equal((await store.getOcspEntry(ISSUER, "01", "sha1"))?.response, undefined);
    });

    it("lists missing, expiring and outdated responses, never expired certificates", async () => {
      assert.deepEqual(await due(), ["02"]);
      assert.deepEqual(await due(T0, at(25 * HOUR)), ["01", "02"]);
      await store.putOcspResponse(response("02"));
      assert.deepEqual(await due(), []);
      await store.setCertificateStatus(ISSUER, "02", "revoked", { time: at(5), reason: 1 });
      assert.deepEqual(await due(), ["02"]);
      const rev = response("02", { certStatus: "revoked", revocationTime: at(5), revocationReason: 1 });
      await store.putOcspResponse(rev);
      assert.deepEqual(await due(), []);
      assert.deepEqual((await store.getOcspEntry(ISSUER, "02", "sha256"))?.response, rev);
      await store.setCertificateStatus(ISSUER, "02", "revoked", { time: at(5), reason: 4 });
      assert.deepEqual(await due(), ["02"]);
    });
  });
}
