// A key generation authority at the RA (RFC 9483 §4.1.6, §5.2.3.2): an ir / cr without a public key gets
// its key pair here; the request goes upstream with that key and its signature POP under the RA's
// protection, and the EE's answer carries the key, signed by the KGA and encrypted to the EE.
import { AsnConvert, AsnParser } from "@peculiar/asn1-schema";
import { SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { InfoTypeAndValue, type PKIBody } from "../asn1/cmp.js";
import { CertReqMessages, CertReqMsg, CertRequest, CertTemplate, EncryptedKey } from "../asn1/crmf.js";
import * as oids from "../asn1/oids.js";
import { signaturePop } from "../cmp/build/crmf.js";
import { certRequestBody } from "../cmp/build/request.js";
import { CmpError } from "../cmp/errors.js";
import { centralKeyType, generateCentralKey, keyRecipient, packageKey } from "../cmp/kga.js";
import { encodeNestedContent, type DecodedMessage } from "../cmp/message.js";
import type { HandlerContext } from "../cmp/server/types.js";
import type { RaPolicy } from "./policy.js";
import { certReqMsgs } from "./route.js";
import type { RaMaterials } from "./types.js";

/** Controls that ask for a key type (RFC 9483 §4.1.6): answered by the key the RA puts in the template. */
const KEY_CONTROLS = [oids.id_regCtrl_algId, oids.id_regCtrl_rsaKeyLen];

export interface CentralKeyRequest {
  /** The ir / cr that goes upstream, with the generated key and its POP. */
  body: PKIBody;
  /** RFC 9810 §5.1.1.3: the EE's request as it arrived. */
  orig: InfoTypeAndValue;
  /** The key package for the EE (EncryptedKey DER, base64). */
  centralKey: string;
}

/** Whether this RA has a KGA of its own (`ra.kga`); route.ts `effectiveMode` decides which requests it serves. */
export function hasKga(m: RaMaterials, policy: RaPolicy): boolean {
  return m.kga !== undefined && policy.kga !== undefined;
}

/** RFC 9483 §4.1.6: the key pair for the EE, the request that certifies it, and the package for the EE. */
export function centralKeyRequest(m: RaMaterials, policy: RaPolicy, ctx: HandlerContext): CentralKeyRequest {
  const msgs = certReqMsgs(ctx)!;
  if (msgs.length !== 1)
    throw new CmpError("badRequest", "central key generation takes exactly one CertReqMsg");
  const req = msgs[0]!.certReq;
  const kga = policy.kga!;
  const key = generateCentralKey(centralKeyType(req.certTemplate.publicKey, req.controls, kga.keyType));
  const packaged = packageKey(m.kga, key, keyRecipient(ctx.requester, kga.passwordKeyWrap));
  const template = AsnConvert.parse(AsnConvert.serialize(req.certTemplate), CertTemplate);
  template.publicKey = AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo);
  const controls = req.controls?.filter((c) => !KEY_CONTROLS.includes(c.type));
  const certReq = new CertRequest({
    certReqId: req.certReqId,
    certTemplate: template,
    controls: controls?.length ? controls : undefined,
  });
  const msg = new CertReqMsg({ certReq, popo: signaturePop(certReq, key) });
  return {
    body: certRequestBody(ctx.bodyType as "ir" | "cr", new CertReqMessages([msg])),
    orig: new InfoTypeAndValue({
      infoType: oids.id_it_origPKIMessage,
      infoValue: encodeNestedContent([ctx.request.der]),
    }),
    centralKey: Buffer.from(AsnConvert.serialize(packaged)).toString("base64"),
  };
}

/** The upstream's ip / cp with the EE's key package added to its certified key pair. */
export function withCentralKey(rsp: DecodedMessage, centralKey: string): PKIBody {
  const body = rsp.message.body;
  const pair = (body.ip ?? body.cp)?.response[0]?.certifiedKeyPair;
  if (pair) pair.privateKey = AsnConvert.parse(Buffer.from(centralKey, "base64"), EncryptedKey);
  return body;
}
