// CRMF request construction (RFC 4211, RFC 9483 §4.1): certificate templates, controls and
// proof-of-possession for ir / cr / kur, shared by every role that builds certificate requests.
import { AsnParser, AsnSerializer, BitString, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  Extension,
  GeneralName,
  id_ce_subjectAltName,
  type Name,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  Time,
} from "@peculiar/asn1-x509";
import {
  AttributeTypeAndValue,
  CertId,
  CertReqMessages,
  CertReqMsg,
  CertRequest,
  CertTemplate,
  OptionalValidity,
  POPOPrivKey,
  POPOSigningKey,
  ProofOfPossession,
  SubsequentMessage,
} from "../../asn1/crmf.js";
import * as oids from "../../asn1/oids.js";
import { defaultSignatureAlgorithm, sign, type PrivateKey } from "../../crypto/index.js";

export interface TemplateInput {
  subject?: Name;
  /** DER SubjectPublicKeyInfo of the key to certify. */
  publicKey?: Uint8Array;
  /** Central key generation (RFC 9483 §4.1.6): the algorithm of the key wanted, with an empty key. */
  centralKeyAlgorithm?: AlgorithmIdentifier;
  subjectAltNames?: GeneralName[];
  notAfter?: Date;
}

export function certTemplate(t: TemplateInput): CertTemplate {
  const template = new CertTemplate();
  if (t.publicKey) template.publicKey = AsnParser.parse(t.publicKey, SubjectPublicKeyInfo);
  else if (t.centralKeyAlgorithm) {
    // RFC 9483 §4.1.6: an empty subjectPublicKey asks the KGA for a key of this algorithm.
    template.publicKey = new SubjectPublicKeyInfo({
      algorithm: t.centralKeyAlgorithm,
      subjectPublicKey: new ArrayBuffer(0),
    });
  }
  if (t.subject) template.subject = t.subject;
  if (t.notAfter)
    template.validity = new OptionalValidity({ notAfter: new Time({ generalTime: t.notAfter }) });
  if (t.subjectAltNames?.length) {
    template.extensions = [
      new Extension({
        extnID: id_ce_subjectAltName,
        critical: false,
        extnValue: new OctetString(AsnSerializer.serialize(new SubjectAlternativeName(t.subjectAltNames))),
      }),
    ];
  }
  return template;
}

/** RFC 9483 §4.1.3: the oldCertID control names the certificate a kur replaces. */
export function oldCertIdControl(old: Certificate): AttributeTypeAndValue {
  return new AttributeTypeAndValue({
    type: oids.id_regCtrl_oldCertID,
    value: AsnSerializer.serialize(
      new CertId({
        issuer: new GeneralName({ directoryName: old.tbsCertificate.issuer }),
        serialNumber: old.tbsCertificate.serialNumber,
      }),
    ),
  });
}

/** RFC 4211 §4.1: a signature POP over the DER of certReq, made with the new key. */
export function signaturePop(certReq: CertRequest, key: PrivateKey): ProofOfPossession {
  const alg = defaultSignatureAlgorithm(key);
  const sig = sign(alg, key, new Uint8Array(AsnSerializer.serialize(certReq)));
  return new ProofOfPossession({
    signature: new POPOSigningKey({ algorithmIdentifier: alg, signature: new BitString(sig) }),
  });
}

/** RFC 9810 §5.2.8.3: indirect POP — the certificate comes encrypted to the new key (KEM, key agreement). */
export function encrCertPop(): ProofOfPossession {
  return new ProofOfPossession({
    keyEncipherment: new POPOPrivKey({ subsequentMessage: SubsequentMessage.encrCert }),
  });
}

export interface CertRequestInput {
  template: CertTemplate;
  controls?: AttributeTypeAndValue[];
  /** How possession of the new key is proven; none for central key generation. */
  pop?: { kind: "signature"; key: PrivateKey } | { kind: "encrCert" } | { kind: "raVerified" };
  certReqId?: number;
}

/** CertReqMessages with one CertReqMsg, certReqId 0 (RFC 9483 §4.1.1). */
export function certReqMessages(r: CertRequestInput): CertReqMessages {
  const certReq = new CertRequest({ certReqId: r.certReqId ?? 0, certTemplate: r.template });
  if (r.controls?.length) certReq.controls = r.controls;
  const msg = new CertReqMsg({ certReq });
  if (r.pop?.kind === "signature") msg.popo = signaturePop(certReq, r.pop.key);
  else if (r.pop?.kind === "encrCert") msg.popo = encrCertPop();
  // RFC 9483 §5.2.3.2: an RA that verified possession itself says so with raVerified (NULL).
  else if (r.pop?.kind === "raVerified") msg.popo = new ProofOfPossession({ raVerified: null });
  return new CertReqMessages([msg]);
}
