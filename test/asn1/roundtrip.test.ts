// Every PKIBody choice survives serialize -> parse -> serialize byte for byte, and parsed values match.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer, BitString, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  CertificateList,
  Extension,
  GeneralName,
  Name,
  SubjectPublicKeyInfo,
  TBSCertList,
  Time,
} from "@peculiar/asn1-x509";
import { EnvelopedData } from "@peculiar/asn1-cms";
import { CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import * as A from "../../src/asn1/index.js";
import { parseName } from "../../src/pki/names.js";
import { opensslSelfSigned, tempDir } from "../helpers/openssl.js";

let cert: Certificate;
let certDer: Uint8Array;
const dir = tempDir();

before(() => {
  certDer = opensslSelfSigned(dir.path, "ca", "/CN=Round Trip CA/O=lwcmp").der;
  cert = AsnParser.parse(certDer, Certificate);
});
after(() => dir.cleanup());

const bytes = (...b: number[]) => new Uint8Array(b).buffer;
const dn = (s: string) => new GeneralName({ directoryName: parseName(s) });

function template(): A.CertTemplate {
  return new A.CertTemplate({
    subject: parseName("CN=device-1,O=Example"),
    issuer: parseName("CN=Issuing CA"),
    serialNumber: bytes(0x01, 0x23),
    validity: new A.OptionalValidity({
      notAfter: new Time({ generalTime: new Date("2030-01-01T00:00:00Z") }),
    }),
    publicKey: cert.tbsCertificate.subjectPublicKeyInfo,
    extensions: [
      new Extension({
        extnID: "2.5.29.15",
        critical: true,
        extnValue: new OctetString(bytes(3, 2, 7, 0x80)),
      }),
    ],
  });
}

function certReqMessages(): A.CertReqMessages {
  const utf8 = (s: string) => AsnSerializer.serialize(new A.UTF8StringValue(s));
  return new A.CertReqMessages([
    new A.CertReqMsg({
      certReq: new A.CertRequest({
        certReqId: 0,
        certTemplate: template(),
        controls: [
          new A.AttributeTypeAndValue({ type: A.id_regCtrl_regToken, value: utf8("token") }),
          new A.AttributeTypeAndValue({
            type: A.id_regCtrl_oldCertID,
            value: AsnSerializer.serialize(
              new A.CertId({ issuer: dn("CN=Issuing CA"), serialNumber: bytes(0x05) }),
            ),
          }),
        ],
      }),
      popo: new A.ProofOfPossession({
        signature: new A.POPOSigningKey({
          algorithmIdentifier: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
          signature: new BitString(bytes(1, 2, 3)),
        }),
      }),
    }),
    new A.CertReqMsg({
      certReq: new A.CertRequest({
        certReqId: 1,
        certTemplate: new A.CertTemplate({
          subject: parseName("CN=kem-device"),
          // central key generation: empty subjectPublicKey (RFC 9483 §4.1.6)
          publicKey: new SubjectPublicKeyInfo({
            algorithm: new AlgorithmIdentifier({ algorithm: "2.16.840.1.101.3.4.4.2" }),
            subjectPublicKey: new ArrayBuffer(0),
          }),
        }),
      }),
      popo: new A.ProofOfPossession({
        keyEncipherment: new A.POPOPrivKey({ subsequentMessage: A.SubsequentMessage.encrCert }),
      }),
    }),
    new A.CertReqMsg({
      certReq: new A.CertRequest({
        certReqId: 2,
        certTemplate: new A.CertTemplate({ subject: parseName("CN=x") }),
      }),
      popo: new A.ProofOfPossession({ raVerified: null }),
    }),
    new A.CertReqMsg({
      certReq: new A.CertRequest({
        certReqId: 3,
        certTemplate: new A.CertTemplate({ subject: parseName("CN=y") }),
      }),
      popo: new A.ProofOfPossession({
        keyAgreement: new A.POPOPrivKey({
          agreeMAC: new A.PKMACValue({
            algId: new AlgorithmIdentifier({ algorithm: A.id_PasswordBasedMac }),
            value: new BitString(bytes(9, 9)),
          }),
        }),
      }),
    }),
  ]);
}

function status(): A.PKIStatusInfo {
  return new A.PKIStatusInfo({
    status: A.PKIStatus.rejection,
    statusString: new A.PKIFreeText(["bad POP"]),
    failInfo: new BitString(bytes(0x00, 0x40), 6),
  });
}

function certRep(): A.CertRepMessage {
  return new A.CertRepMessage({
    caPubs: new A.CMPCertificates([cert]),
    response: [
      new A.CertResponse({
        certReqId: 0,
        status: new A.PKIStatusInfo({ status: A.PKIStatus.accepted }),
        certifiedKeyPair: new A.CertifiedKeyPair({
          certOrEncCert: new A.CertOrEncCert({ certificate: cert }),
          privateKey: new A.EncryptedKey({ envelopedData: new EnvelopedData() }),
        }),
      }),
      new A.CertResponse({
        certReqId: 1,
        status: new A.PKIStatusInfo({ status: A.PKIStatus.accepted }),
        certifiedKeyPair: new A.CertifiedKeyPair({
          certOrEncCert: new A.CertOrEncCert({
            encryptedCert: new A.EncryptedKey({ envelopedData: new EnvelopedData() }),
          }),
        }),
      }),
      new A.CertResponse({ certReqId: 2, status: status() }),
    ],
  });
}

function crl(): CertificateList {
  return new CertificateList({
    tbsCertList: new TBSCertList({
      version: 1,
      signature: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
      issuer: parseName("CN=Issuing CA"),
      thisUpdate: new Time({ utcTime: new Date("2026-01-01T00:00:00Z") }),
    }),
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
    signature: new ArrayBuffer(2),
  });
}

const itavs = () =>
  new A.InfoTypeAndValues([
    new A.InfoTypeAndValue({
      infoType: A.id_it_caCerts,
      infoValue: AsnSerializer.serialize(new A.CMPCertificates([cert])),
    }),
    new A.InfoTypeAndValue({ infoType: A.id_it_rootCaCert }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_rootCaKeyUpdate,
      infoValue: AsnSerializer.serialize(
        new A.RootCaKeyUpdateContent({ newWithNew: cert, oldWithNew: cert }),
      ),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_certReqTemplate,
      infoValue: AsnSerializer.serialize(
        new A.CertReqTemplateContent({
          certTemplate: template(),
          keySpec: [
            new A.AttributeTypeAndValue({
              type: A.id_regCtrl_rsaKeyLen,
              value: AsnSerializer.serialize(new A.IntegerValue(3072)),
            }),
          ],
        }),
      ),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_certProfile,
      infoValue: AsnSerializer.serialize(new A.CertProfileValue(["tls-client", "iot"])),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_crlStatusList,
      infoValue: AsnSerializer.serialize(
        new A.CRLStatusListValue([
          new A.CRLStatus({
            source: new A.CRLSource({ issuer: new A.GeneralNameList([dn("CN=Issuing CA")]) }),
            thisUpdate: new Time({ utcTime: new Date("2026-01-01T00:00:00Z") }),
          }),
        ]),
      ),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_crls,
      infoValue: AsnSerializer.serialize(new A.CertificateLists([crl()])),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_KemCiphertextInfo,
      infoValue: AsnSerializer.serialize(
        new A.KemCiphertextInfo({
          kem: new AlgorithmIdentifier({ algorithm: "2.16.840.1.101.3.4.4.2" }),
          ct: bytes(1, 2),
        }),
      ),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_confirmWaitTime,
      infoValue: AsnSerializer.serialize(new A.GeneralizedTimeValue(new Date("2026-01-01T00:00:10Z"))),
    }),
    new A.InfoTypeAndValue({
      infoType: A.id_it_origPKIMessage,
      infoValue: AsnSerializer.serialize(new A.PKIMessages([message({ pkiconf: null })])),
    }),
  ]);

function message(body: Partial<A.PKIBody>): A.PKIMessage {
  return new A.PKIMessage({
    header: new A.PKIHeader({
      pvno: 3,
      sender: dn("CN=device-1"),
      recipient: dn("CN=Issuing CA"),
      messageTime: new Date("2026-11-22T10:00:00Z"),
      protectionAlg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
      senderKID: bytes(1, 2, 3),
      transactionID: bytes(...Array(16).fill(7)),
      senderNonce: bytes(...Array(16).fill(8)),
      recipNonce: bytes(...Array(16).fill(9)),
      freeText: new A.PKIFreeText(["hello"]),
      generalInfo: new A.InfoTypeAndValues([
        new A.InfoTypeAndValue({ infoType: A.id_it_implicitConfirm, infoValue: bytes(5, 0) }),
      ]),
    }),
    body: new A.PKIBody(body),
    protection: new BitString(bytes(1, 2, 3, 4)),
    extraCerts: new A.CMPCertificates([cert]),
  });
}

const bodies: Record<A.PKIBodyType, () => Partial<A.PKIBody>> = {
  ir: () => ({ ir: certReqMessages() }),
  ip: () => ({ ip: certRep() }),
  cr: () => ({ cr: certReqMessages() }),
  cp: () => ({ cp: certRep() }),
  p10cr: () => ({
    p10cr: new CertificationRequest({
      certificationRequestInfo: new CertificationRequestInfo({
        subject: parseName("CN=p10"),
        subjectPKInfo: cert.tbsCertificate.subjectPublicKeyInfo,
      }),
      signatureAlgorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
      signature: bytes(1, 2),
    }),
  }),
  popdecc: () => ({
    popdecc: new A.POPODecKeyChallContent([
      new A.Challenge({
        owf: new AlgorithmIdentifier({ algorithm: A.id_sha256 }),
        witness: bytes(1),
        challenge: bytes(2),
        encryptedRand: new EnvelopedData(),
      }),
    ]),
  }),
  popdecr: () => ({ popdecr: new A.POPODecKeyRespContent([1, 2, 3]) }),
  kur: () => ({ kur: certReqMessages() }),
  kup: () => ({ kup: certRep() }),
  krr: () => ({ krr: certReqMessages() }),
  krp: () => ({
    krp: new A.KeyRecRepContent({
      status: status(),
      newSigCert: cert,
      caCerts: new A.CMPCertificates([cert]),
    }),
  }),
  rr: () => ({
    rr: new A.RevReqContent([
      new A.RevDetails({
        certDetails: new A.CertTemplate({
          issuer: parseName("CN=Issuing CA"),
          serialNumber: bytes(0x7f, 0x01),
        }),
        crlEntryDetails: [
          new Extension({ extnID: "2.5.29.21", extnValue: new OctetString(bytes(0x0a, 1, 1)) }),
        ],
      }),
    ]),
  }),
  rp: () => ({
    rp: new A.RevRepContent({
      status: new A.PKIStatusInfos([status()]),
      revCerts: new A.CertIds([
        new A.CertId({ issuer: dn("CN=Issuing CA"), serialNumber: bytes(0x7f, 0x01) }),
      ]),
      crls: new A.CertificateLists([crl()]),
    }),
  }),
  ccr: () => ({ ccr: certReqMessages() }),
  ccp: () => ({ ccp: certRep() }),
  ckuann: () => ({
    ckuann: new A.CAKeyUpdContent({
      cAKeyUpdAnnV3: new A.RootCaKeyUpdateContent({ newWithNew: cert, newWithOld: cert }),
    }),
  }),
  cann: () => ({ cann: cert }),
  rann: () => ({
    rann: new A.RevAnnContent({
      status: 5,
      certId: new A.CertId({ issuer: dn("CN=Issuing CA"), serialNumber: bytes(0x01) }),
      willBeRevokedAt: new Date("2026-12-01T00:00:00Z"),
      badSinceDate: new Date("2026-11-01T00:00:00Z"),
    }),
  }),
  crlann: () => ({ crlann: new A.CertificateLists([crl()]) }),
  pkiconf: () => ({ pkiconf: null }),
  nested: () => ({
    nested: AsnSerializer.serialize(new A.PKIMessages([message({ ir: certReqMessages() })])),
  }),
  genm: () => ({ genm: itavs() }),
  genp: () => ({ genp: itavs() }),
  error: () => ({
    error: new A.ErrorMsgContent({
      pKIStatusInfo: status(),
      errorCode: 42,
      errorDetails: new A.PKIFreeText(["x"]),
    }),
  }),
  certConf: () => ({
    certConf: new A.CertConfirmContent([
      new A.CertStatus({
        certHash: bytes(1, 2),
        certReqId: 0,
        statusInfo: status(),
        hashAlg: new AlgorithmIdentifier({ algorithm: A.id_sha256 }),
      }),
    ]),
  }),
  pollReq: () => ({ pollReq: new A.PollReqContent([new A.PollReqEntry({ certReqId: 0 })]) }),
  pollRep: () => ({
    pollRep: new A.PollRepContent([
      new A.PollRepEntry({ certReqId: 0, checkAfter: 5, reason: new A.PKIFreeText(["wait"]) }),
    ]),
  }),
};

describe("PKIMessage DER round trip for every PKIBody choice", () => {
  it("covers all 27 body types", () => {
    assert.deepEqual(Object.keys(bodies).sort(), [...A.PKIBodyTypes].sort());
  });
  for (const type of A.PKIBodyTypes) {
    it(type, () => {
      const der = new Uint8Array(AsnSerializer.serialize(message(bodies[type]())));
      const parsed = AsnParser.parse(der, A.PKIMessage);
      const set = A.PKIBodyTypes.filter((t) => parsed.body[t] !== undefined);
      assert.deepEqual(set, [type]);
      const again = new Uint8Array(AsnSerializer.serialize(parsed));
      assert.deepEqual(Buffer.from(again), Buffer.from(der));
      // The body tag is [n] constructed in the EXPLICIT CMP module (RFC 9810 Appendix F).
      const headerLen = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
      const headerTlvLen = (() => {
        const l = der[headerLen + 1]!;
        return l & 0x80
          ? 2 +
              (l & 0x7f) +
              Number.parseInt(
                Buffer.from(der.subarray(headerLen + 2, headerLen + 2 + (l & 0x7f))).toString("hex"),
                16,
              )
          : 2 + l;
      })();
      assert.equal(der[headerLen + headerTlvLen], 0xa0 + A.PKIBodyTypes.indexOf(type));
    });
  }
});

describe("CRMF tagging details", () => {
  it("encodes raVerified as [0] IMPLICIT NULL and subsequentMessage inside explicit [2]", () => {
    const ra = new Uint8Array(AsnSerializer.serialize(new A.ProofOfPossession({ raVerified: null })));
    assert.deepEqual([...ra], [0x80, 0x00]);
    const ke = new Uint8Array(
      AsnSerializer.serialize(
        new A.ProofOfPossession({ keyEncipherment: new A.POPOPrivKey({ subsequentMessage: 0 }) }),
      ),
    );
    assert.deepEqual([...ke], [0xa2, 0x03, 0x81, 0x01, 0x00]);
  });
  it("tags CertTemplate subject [5] explicitly (Name is a CHOICE) and publicKey [6] implicitly", () => {
    const t = new Uint8Array(
      AsnSerializer.serialize(
        new A.CertTemplate({ subject: new Name([]), publicKey: new SubjectPublicKeyInfo() }),
      ),
    );
    assert.deepEqual([...t.subarray(0, 4)], [0x30, t[1], 0xa5, 0x02]);
    assert.equal(t[4], 0x30);
    assert.equal(t[6], 0xa6);
  });
  it("keeps an empty subjectPublicKey for central key generation", () => {
    const t = template();
    t.publicKey = new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: "1.3.101.112" }),
      subjectPublicKey: new ArrayBuffer(0),
    });
    const back = AsnParser.parse(AsnSerializer.serialize(t), A.CertTemplate);
    assert.equal(back.publicKey?.subjectPublicKey.byteLength, 0);
    assert.equal(back.publicKey?.algorithm.algorithm, "1.3.101.112");
  });
});

describe("CAKeyUpdContent alternatives", () => {
  it("parses the deprecated v2 form as cAKeyUpdAnnV2", () => {
    const v2 = new A.CAKeyUpdContent({
      cAKeyUpdAnnV2: new A.CAKeyUpdAnnContent({ oldWithNew: cert, newWithOld: cert, newWithNew: cert }),
    });
    const der = AsnSerializer.serialize(v2);
    const back = AsnParser.parse(der, A.CAKeyUpdContent);
    assert.ok(back.cAKeyUpdAnnV2);
    assert.equal(back.cAKeyUpdAnnV3, undefined);
    assert.deepEqual(Buffer.from(AsnSerializer.serialize(back)), Buffer.from(der));
  });
});
