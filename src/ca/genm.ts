// General messages a CA answers (RFC 9483 §4.3): CA certificates, root CA update, certificate
// request template, CRL update; unknown info types are answered without a value.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, CertificateList, Name } from "@peculiar/asn1-x509";
import { CertificateLists, CMPCertificates, InfoTypeAndValue, RootCaKeyUpdateContent } from "../asn1/cmp.js";
import { AttributeTypeAndValue, CertTemplate } from "../asn1/crmf.js";
import {
  AlgorithmIdentifiers,
  CertReqTemplateContent,
  CRLStatusListValue,
  IntegerValue,
} from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { CmpError } from "../cmp/errors.js";
import type { CaMaterials } from "../config/materials.js";
import type { CaPolicy } from "./policy.js";
import { defaultSignatureAlgorithm, keyAlgorithm, keyAlgorithmIdentifier } from "../crypto/index.js";
import { buildCrl } from "../pki/crl.js";
import { getSubjectKeyIdentifier } from "../pki/extensions.js";
import { nameToString } from "../pki/names.js";
import type { Store } from "../store/store.js";

export interface GenmContext {
  materials: CaMaterials;
  policy: CaPolicy;
  store: Store;
  now: Date;
  profile: string;
}

/** The answer to one InfoTypeAndValue of a genm. */
export async function answerInfoType(itav: InfoTypeAndValue, ctx: GenmContext): Promise<InfoTypeAndValue> {
  const m = ctx.materials;
  const reply = (infoType: string, value?: unknown) =>
    new InfoTypeAndValue({
      infoType,
      infoValue: value === undefined ? undefined : AsnSerializer.serialize(value),
    });
  switch (itav.infoType) {
    case oids.id_it_caCerts:
      // RFC 9483 §4.3.1: the CA certificates a client may need, issuing CA first.
      return reply(oids.id_it_caCerts, new CMPCertificates([m.caCert.cert, ...m.chain.map((c) => c.cert)]));
    case oids.id_it_rootCaCert: {
      // RFC 9483 §4.3.2: answer with rootCaKeyUpdate, or without value when no update is known.
      const u = m.rootUpdate;
      if (!u) return new InfoTypeAndValue({ infoType: oids.id_it_rootCaKeyUpdate });
      // The update concerns the root the EE names (when it names one): it must be our current root.
      if (itav.infoValue) {
        const current = m.chain.length ? m.chain[m.chain.length - 1]! : m.caCert;
        let named: Uint8Array;
        try {
          named = new Uint8Array(AsnSerializer.serialize(AsnParser.parse(itav.infoValue, Certificate)));
        } catch {
          throw new CmpError("badRequest", "the rootCaCert value is not a certificate");
        }
        if (!Buffer.from(named).equals(Buffer.from(current.der))) {
          return new InfoTypeAndValue({ infoType: oids.id_it_rootCaKeyUpdate });
        }
      }
      return reply(
        oids.id_it_rootCaKeyUpdate,
        new RootCaKeyUpdateContent({
          newWithNew: u.newWithNew.cert,
          newWithOld: u.newWithOld?.cert,
          oldWithNew: u.oldWithNew?.cert,
        }),
      );
    }
    case oids.id_it_certReqTemplate:
      return certReqTemplate(ctx);
    case oids.id_it_crlStatusList:
      return reply(oids.id_it_crls, await currentCrls(itav, ctx));
    case oids.id_it_signKeyPairTypes:
      return reply(
        oids.id_it_signKeyPairTypes,
        new AlgorithmIdentifiers([defaultSignatureAlgorithm(m.caKey)]),
      );
    default:
      return new InfoTypeAndValue({ infoType: itav.infoType });
  }
}

function certReqTemplate(ctx: GenmContext): InfoTypeAndValue {
  const t = ctx.policy.forRequest(ctx.profile, "genm")!.profile.template;
  const keySpec: AttributeTypeAndValue[] = [];
  if (t.algorithm) {
    // RFC 9483 §4.3.3: id-regCtrl-algId carries the SPKI AlgorithmIdentifier of the key type.
    if (!keyAlgorithm(t.algorithm))
      throw new CmpError("systemFailure", `profile "${ctx.profile}" names an unknown template algorithm`);
    const alg = keyAlgorithmIdentifier(t.algorithm);
    keySpec.push(
      new AttributeTypeAndValue({ type: oids.id_regCtrl_algId, value: AsnSerializer.serialize(alg) }),
    );
  }
  if (t.rsaKeyLength) {
    keySpec.push(
      new AttributeTypeAndValue({
        type: oids.id_regCtrl_rsaKeyLen,
        value: AsnSerializer.serialize(new IntegerValue(t.rsaKeyLength)),
      }),
    );
  }
  const content = new CertReqTemplateContent({
    certTemplate: new CertTemplate({ subject: new Name([]) }),
    keySpec: keySpec.length ? keySpec : undefined,
  });
  return new InfoTypeAndValue({
    infoType: oids.id_it_certReqTemplate,
    infoValue: AsnSerializer.serialize(content),
  });
}

/** RFC 9483 §4.3.4: the current CRL of this CA when the client's is older (or it named none). */
async function currentCrls(itav: InfoTypeAndValue, ctx: GenmContext): Promise<CertificateLists> {
  if (itav.infoValue) {
    try {
      AsnParser.parse(itav.infoValue, CRLStatusListValue);
    } catch {
      throw new CmpError("badRequest", "the crlStatusList value is malformed");
    }
  }
  const crl = await issueCrl(ctx);
  return new CertificateLists([AsnParser.parse(crl, CertificateList)]);
}

/** Signs a fresh CRL over every certificate this CA has revoked. */
export async function issueCrl(
  ctx: Pick<GenmContext, "materials" | "policy" | "store" | "now">,
): Promise<Uint8Array> {
  const m = ctx.materials;
  const issuer = nameToString(m.caCert.cert.tbsCertificate.subject);
  const revoked = await ctx.store.listRevoked(issuer);
  const number = await ctx.store.nextCounter(`crl:${issuer}`);
  return buildCrl({
    issuer: m.caCert.cert.tbsCertificate.subject,
    issuerKey: m.caKey,
    issuerKeyId: getSubjectKeyIdentifier(m.caCert.cert),
    crlNumber: number,
    thisUpdate: ctx.now,
    nextUpdate: new Date(ctx.now.getTime() + ctx.policy.crlValidityMs),
    revoked: revoked.map((r) => ({
      serial: r.serial,
      revocationTime: r.revocationTime ?? ctx.now,
      reason: r.revocationReason,
    })),
  });
}
