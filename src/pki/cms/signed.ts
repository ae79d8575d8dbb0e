// CMS SignedData (RFC 5652 §5) with one signer and signed attributes (contentType, messageDigest),
// as central key generation uses it to sign an AsymmetricKeyPackage (RFC 9483 §4.1.6); verification
// also takes the BER that streaming producers write.
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate } from "@peculiar/asn1-x509";
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  ContentInfo,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from "@peculiar/asn1-cms";
import { ObjectIdentifierValue } from "../../asn1/itav.js";
import { id_data, id_signedData } from "../../asn1/oids.js";
import {
  defaultSignatureAlgorithm,
  digest,
  digestAlgorithm,
  keyAlgorithm,
  sign,
  verify,
  type PrivateKey,
} from "../../crypto/index.js";
import { derTlv } from "../der.js";
import { certEntry, certificatePublicKey, type CertEntry } from "../path.js";
import { berOctetString } from "./ber.js";
import { CmsError, der, issuerAndSerial } from "./common.js";

const id_contentType = "1.2.840.113549.1.9.3";
const id_messageDigest = "1.2.840.113549.1.9.4";

/** Digest paired with the signer's signature algorithm (the registry's cmsDigest; RFC 8419, RFC 9882). */
function digestFor(key: PrivateKey): string {
  return keyAlgorithm(key.type)?.cmsDigest ?? "sha256";
}

/** DER of SET OF Attribute in the given order (callers pass them sorted, as DER requires). */
function attributeSet(attrs: Attribute[]): Uint8Array {
  return derTlv(0x31, ...attrs.map((a) => der(a)));
}

export interface SignerMaterial {
  key: PrivateKey;
  certificate: Uint8Array;
  /** Further certificates to include (the signer's chain). */
  chain?: Uint8Array[];
}

export function buildSignedData(
  content: Uint8Array,
  contentType: string,
  signer: SignerMaterial,
): SignedData {
  const cert = AsnParser.parse(signer.certificate, Certificate);
  const hash = digestFor(signer.key);
  const digestAlg = digestAlgorithm(hash);
  const attrs = [
    new Attribute({
      attrType: id_contentType,
      attrValues: [AsnSerializer.serialize(new ObjectIdentifierValue(contentType))],
    }),
    new Attribute({
      attrType: id_messageDigest,
      attrValues: [AsnSerializer.serialize(new OctetString(digest(hash, content)))],
    }),
  ].sort((x, y) => Buffer.compare(Buffer.from(der(x)), Buffer.from(der(y))));
  const sigAlg = defaultSignatureAlgorithm(signer.key);
  const signature = sign(sigAlg, signer.key, attributeSet(attrs));
  const certs = [signer.certificate, ...(signer.chain ?? [])].map(
    (c) => new CertificateChoices({ certificate: AsnParser.parse(c, Certificate) }),
  );
  return new SignedData({
    // RFC 5652 §5.1: version 3 for content other than id-data.
    version: 3,
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlg]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: contentType,
      eContent: new EncapsulatedContent({ single: new OctetString(content) }),
    }),
    certificates: new CertificateSet(certs),
    signerInfos: new SignerInfos([
      new SignerInfo({
        version: 1,
        sid: new SignerIdentifier({
          issuerAndSerialNumber: issuerAndSerial(cert),
        }),
        digestAlgorithm: digestAlg,
        signedAttrs: attrs,
        signatureAlgorithm: sigAlg,
        signature: new OctetString(signature),
      }),
    ]),
  });
}

export interface VerifiedSignedData {
  content: Uint8Array;
  contentType: string;
  signer: CertEntry;
  /** All certificates carried in the SignedData (for path building). */
  certificates: CertEntry[];
}

/** The eContent octets: primitive, or constructed as BER producers stream it (RFC 5652 §5.2). */
function contentOctets(sd: SignedData): Uint8Array {
  const ec = sd.encapContentInfo.eContent;
  if (ec?.single) return new Uint8Array(ec.single.buffer);
  if (ec?.any) return berOctetString(new Uint8Array(ec.any));
  throw new CmsError("SignedData carries no content");
}

/** The signer's certificate among those carried, by issuer and serial number. */
function findSigner(si: SignerInfo, certificates: CertEntry[]): CertEntry {
  const ias = si.sid.issuerAndSerialNumber;
  const signer = certificates.find(
    (c) =>
      ias &&
      Buffer.from(der(c.cert.tbsCertificate.issuer)).equals(Buffer.from(der(ias.issuer))) &&
      Buffer.from(c.cert.tbsCertificate.serialNumber).equals(Buffer.from(ias.serialNumber)),
  );
  if (!signer) throw new CmsError("the signer's certificate is not in the SignedData");
  return signer;
}

/** RFC 5652 §5.4: what the signature covers, after the messageDigest and contentType checks. */
function signedBytes(sd: SignedData, si: SignerInfo, content: Uint8Array): Uint8Array {
  const attrs = si.signedAttrs;
  if (!attrs?.length) {
    // draft-ietf-lamps-cms-euf-cma-signeddata: content other than id-data is always signed through attributes.
    if (sd.encapContentInfo.eContentType !== id_data)
      throw new CmsError("SignedData without signed attributes");
    return content;
  }
  const md = attrs.find((a) => a.attrType === id_messageDigest)?.attrValues[0];
  const ct = attrs.find((a) => a.attrType === id_contentType)?.attrValues[0];
  if (!md || !ct) throw new CmsError("signed attributes lack contentType or messageDigest");
  const expected = digest(si.digestAlgorithm, content);
  if (!Buffer.from(AsnParser.parse(md, OctetString).buffer).equals(Buffer.from(expected))) {
    throw new CmsError("the messageDigest attribute does not match the content");
  }
  if (AsnParser.parse(ct, ObjectIdentifierValue).value !== sd.encapContentInfo.eContentType)
    throw new CmsError("the contentType attribute differs from the content's type");
  // RFC 5652 §5.4: the DER of the SET OF, whatever encoding was received (X.690 §11.6: sorted).
  return attributeSet([...attrs].sort((x, y) => Buffer.compare(Buffer.from(der(x)), Buffer.from(der(y)))));
}

/** Checks the one signature of a SignedData (DER or BER as received; signed attributes or id-data content). */
export function verifySignedData(sd: SignedData): VerifiedSignedData {
  const si = sd.signerInfos[0];
  if (!si || sd.signerInfos.length !== 1) throw new CmsError("SignedData must hold exactly one signer");
  const content = contentOctets(sd);
  const certificates = (sd.certificates ?? [])
    .filter((c) => c.certificate)
    .map((c) => certEntry(der(c.certificate)));
  const signer = findSigner(si, certificates);
  const ok = verify(
    si.signatureAlgorithm as AlgorithmIdentifier,
    certificatePublicKey(signer.cert),
    signedBytes(sd, si, content),
    new Uint8Array(si.signature.buffer),
  );
  if (!ok) throw new CmsError("the SignedData signature does not verify");
  return { content, contentType: sd.encapContentInfo.eContentType, signer, certificates };
}

/** A ContentInfo holding SignedData, in DER or BER (RFC 5652 §3). */
export function parseSignedContentInfo(encoded: Uint8Array): SignedData {
  const ci = AsnParser.parse(encoded, ContentInfo);
  if (ci.contentType !== id_signedData) throw new CmsError("not a SignedData ContentInfo");
  return AsnParser.parse(ci.content, SignedData);
}

export function signedContentInfoDer(sd: SignedData): Uint8Array {
  return der(new ContentInfo({ contentType: id_signedData, content: AsnSerializer.serialize(sd) }));
}
