// genm crlStatusList always carries a CRLStatusList (RFC 9483 §4.3.4): the issuer given, else the one
// the client knows (protection certificate, recipient, old certificate's distribution point).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { CRLStatusListValue } from "../../src/asn1/itav.js";
import * as oids from "../../src/asn1/oids.js";
import { CmpClient, type ClientCredential, type CmpClientOptions } from "../../src/client/client.js";
import { CrlIssuerUnknownError } from "../../src/client/genm.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { nameToString } from "../../src/pki/names.js";
import { parseCrl } from "../../src/pki/crl.js";
import { createTestCa, type TestCa } from "../helpers/ca.js";

const CDP = "http://127.0.0.1:8080/crl/issuing.crl";
const ISSUING = "CN=Demo Issuing CA,O=lwcmp demo";

describe("genm crlStatusList names an issuer in every case", () => {
  let t: TestCa;
  let mac: Extract<ClientCredential, { kind: "mac" }>;
  const sent: Uint8Array[] = [];
  before(async () => {
    t = await createTestCa({
      configPatch: (y) => y.replace("  kga:", `  crl:\n    distributionPoints: ["${CDP}"]\n  kga:`),
    });
    mac = {
      kind: "mac",
      reference: t.secrets.kid,
      secret: new TextEncoder().encode(t.secrets.secret),
      iterations: 1000,
    };
  });
  after(() => t.close());

  const client = (credential: ClientCredential, extra: Partial<CmpClientOptions> = {}) =>
    new CmpClient({
      send: (der, op) => {
        sent.push(der);
        return t.ca.handle(der, { operation: op });
      },
      credential,
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      ...extra,
    });

  /** The CRLStatusList of the last genm sent: present, and parsed as the schema says. */
  function lastStatusList(): CRLStatusListValue {
    const msg = decodePKIMessage(sent.at(-1)!).message;
    const itav = msg.body.genm?.[0];
    assert.equal(itav?.infoType, oids.id_it_crlStatusList);
    assert.ok(itav.infoValue, "the crlStatusList carries a value");
    const list = AsnParser.parse(itav.infoValue, CRLStatusListValue);
    assert.equal(list.length, 1);
    return list;
  }
  const issuerOf = (l: CRLStatusListValue) =>
    [...(l[0]!.source.issuer ?? [])].map((g) => nameToString(g.directoryName!));
  const crlIssuer = (crl: Uint8Array) => nameToString(parseCrl(crl).issuer);

  it("an explicit issuer is named as given", async () => {
    const crls = await client(mac).getCrls(ISSUING);
    assert.deepEqual(issuerOf(lastStatusList()), [ISSUING]);
    assert.equal(crls.length, 1);
    assert.equal(crlIssuer(crls[0]!), ISSUING);
  });

  it("signature credential: the issuer of the protection certificate", async () => {
    const key = generateKeyPair("ec-p256");
    const ee = await client(mac).enroll("ir", { subject: "CN=crl-holder", newKey: key });
    const crls = await client({ kind: "signature", key, certificate: ee.certificate }).getCrls();
    assert.deepEqual(issuerOf(lastStatusList()), [ISSUING]);
    assert.equal(crlIssuer(crls[0]!), ISSUING);
    // The IDevID's issuer is the manufacturer CA, whose CRL this CA does not keep.
    const idevid: ClientCredential = { kind: "signature", key: t.idevid.key, certificate: t.idevid.cert };
    await assert.rejects(client(idevid).getCrls(), /no CRL of issuer/);
    assert.match(issuerOf(lastStatusList()).join(), /Manufacturer/i);
  });

  it("MAC credential: the subject of the recipient", async () => {
    const crls = await client(mac, { recipient: ISSUING }).getCrls();
    assert.deepEqual(issuerOf(lastStatusList()), [ISSUING]);
    assert.equal(crls.length, 1);
  });

  it("MAC credential and an old certificate: its CRL distribution point", async () => {
    const ee = await client(mac).enroll("ir", { subject: "CN=crl-dp", newKey: generateKeyPair("ec-p256") });
    const crls = await client(mac).getCrls(undefined, undefined, ee.certificate);
    const src = lastStatusList()[0]!.source;
    assert.equal(src.issuer, undefined);
    assert.deepEqual(
      src.dpn?.fullName?.map((g) => g.uniformResourceIdentifier),
      [CDP],
    );
    assert.equal(crlIssuer(crls[0]!), ISSUING);
  });

  it("nothing known: one clear error, and nothing is sent", async () => {
    const before = sent.length;
    await assert.rejects(
      client(mac, { recipient: "" }).getCrls(),
      (e: unknown) => e instanceof CrlIssuerUnknownError && /needs the CRL issuer/.test(e.message),
    );
    assert.equal(sent.length, before);
  });
});
