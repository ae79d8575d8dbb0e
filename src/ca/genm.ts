// General messages a CA answers (RFC 9483 §4.3): CA certificates, root CA update, certificate
// request template, CRL update from the stored CRLs; unknown info types are answered without a value.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, Name } from "@peculiar/asn1-x509";
import { CMPCertificates, InfoTypeAndValue, RootCaKeyUpdateContent } from "../asn1/cmp.js";
import { AttributeTypeAndValue, CertTemplate } from "../asn1/crmf.js";
import {
  AlgorithmIdentifiers,
  CertReqTemplateContent,
  CRLSource,
  CRLStatus,
  CRLStatusListValue,
  IntegerValue,
} from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { CmpError } from "../cmp/errors.js";
import type { CaMaterials } from "../config/materials.js";
import type { CaPolicy } from "./policy.js";
import { defaultSignatureAlgorithm, keyAlgorithm, keyAlgorithmIdentifier } from "../crypto/index.js";
import { derSequence } from "../pki/der.js";
import { nameToString, namesEqual } from "../pki/names.js";
import { CrlPublisher } from "./crl/publisher.js";
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
      return currentCrls(itav, ctx);
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

/** The shards a CRLSource names (RFC 9483 §4.3.4): the issuer's whole CRL, or one distribution point. */
function namedShards(source: CRLSource, pub: CrlPublisher, m: CaMaterials): number[] {
  const all = Array.from({ length: pub.shards }, (_, i) => i);
  if (source.issuer) {
    const ours = m.caCert.cert.tbsCertificate.subject;
    if (source.issuer.some((g) => g.directoryName && namesEqual(g.directoryName, ours))) return all;
    const asked = source.issuer
      .map((g) => (g.directoryName ? nameToString(g.directoryName) : "?"))
      .join(", ");
    throw new CmpError(
      "badRequest",
      `no CRL of issuer "${asked}" is kept here; this CA publishes the CRLs of "${pub.issuer}"`,
    );
  }
  const uris = (source.dpn?.fullName ?? []).map((g) => g.uniformResourceIdentifier).filter((u) => u);
  if (uris.length === 0) {
    throw new CmpError("badRequest", "the CRL source names neither an issuer nor a distribution point URI");
  }
  const path = (u: string) => {
    try {
      return new URL(u).pathname;
    } catch {
      return u;
    }
  };
  const shards = all.filter((s) =>
    uris.some((u) => pub.distributionPoints(s).includes(u!) || path(u!) === pub.path(s)),
  );
  if (shards.length === 0) {
    throw new CmpError("badRequest", `no CRL is published here under ${uris.join(", ")}`);
  }
  return shards;
}

/**
 * RFC 9483 §4.3.4: the stored CRLs of the sources asked for that are newer than the client's
 * thisUpdate; infoValue is absent when the client's CRLs are current. No value: every shard's CRL.
 */
async function currentCrls(itav: InfoTypeAndValue, ctx: GenmContext): Promise<InfoTypeAndValue> {
  let list: CRLStatus[] | undefined;
  if (itav.infoValue) {
    try {
      list = [...AsnParser.parse(itav.infoValue, CRLStatusListValue)];
    } catch {
      throw new CmpError("badRequest", "the crlStatusList value is malformed");
    }
  }
  const pub = new CrlPublisher({ materials: ctx.materials, policy: ctx.policy, store: ctx.store });
  const wanted = new Map<number, Date | undefined>();
  for (const st of list ?? [new CRLStatus()]) {
    const shards = list ? namedShards(st.source, pub, ctx.materials) : [...Array(pub.shards).keys()];
    for (const s of shards) wanted.set(s, st.thisUpdate?.getTime());
  }
  const ders: Uint8Array[] = [];
  for (const [shard, theirs] of wanted) {
    const rec = await pub.current(shard, ctx.now);
    if (!theirs || rec.thisUpdate.getTime() > theirs.getTime()) ders.push(rec.der);
  }
  return new InfoTypeAndValue({
    infoType: oids.id_it_crls,
    // SEQUENCE SIZE (1..MAX) OF CertificateList, made of the stored DER as it is.
    infoValue: ders.length ? bufferOf(derSequence(...ders)) : undefined,
  });
}

function bufferOf(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}
