// OCSP structures (RFC 6960 §4) on @peculiar/asn1-ocsp: CertID hashes, request reading and building,
// BasicOCSPResponse signing and reading, the unsigned error responses of RFC 6960 §2.3.
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, CRLReason, Extension } from "@peculiar/asn1-x509";
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  KeyHash,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  TBSRequest,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
} from "@peculiar/asn1-ocsp";
import { defaultSignatureAlgorithm, digest, sign, verify, type PrivateKey } from "../crypto/index.js";
import { serialHex } from "./certificate.js";
import { certificatePublicKey } from "./path.js";
import { children, readTlv, type Tlv } from "./der.js";

/** The CertID hash algorithms answered (RFC 9919 §2.1.1: SHA-256 recommended, SHA-1 still in use). */
export type CertIdHash = "sha1" | "sha256";
const HASH_OIDS: Record<CertIdHash, string> = { sha1: "1.3.14.3.2.26", sha256: "2.16.840.1.101.3.4.2.1" };
export const CERT_ID_HASHES: readonly CertIdHash[] = ["sha256", "sha1"];

export type OcspErrorStatus =
  "malformedRequest" | "internalError" | "tryLater" | "sigRequired" | "unauthorized";

export class OcspFormatError extends Error {
  override readonly name = "OcspFormatError";
}

/** One CertID as received: hash algorithm, issuer hashes (hex) and serial (lowercase hex). */
export interface CertIdInfo {
  hash: CertIdHash | string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serial: string;
}

export interface ParsedOcspRequest {
  certIds: CertIdInfo[];
  nonce?: Uint8Array;
  signed: boolean;
}

const ab = (u: Uint8Array): ArrayBuffer =>
  u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
const hex = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex");

function hashName(oid: string): CertIdHash | string {
  for (const [k, v] of Object.entries(HASH_OIDS)) if (v === oid) return k;
  return oid;
}

/** issuerNameHash and issuerKeyHash of a CA certificate (RFC 6960 §4.1.1). */
export function issuerHashes(
  issuer: Certificate,
  hash: CertIdHash,
): { nameHash: Uint8Array; keyHash: Uint8Array } {
  const nameDer = new Uint8Array(AsnSerializer.serialize(issuer.tbsCertificate.subject));
  const key = new Uint8Array(issuer.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  return { nameHash: digest(hash, nameDer), keyHash: digest(hash, key) };
}

function serialBytes(serial: string): ArrayBuffer {
  let h = serial.length % 2 ? `0${serial}` : serial;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`;
  return ab(new Uint8Array(Buffer.from(h, "hex")));
}

export function buildCertId(issuer: Certificate, serial: string, hash: CertIdHash): CertID {
  const { nameHash, keyHash } = issuerHashes(issuer, hash);
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OIDS[hash] }),
    issuerNameHash: new OctetString(nameHash),
    issuerKeyHash: new OctetString(keyHash),
    serialNumber: serialBytes(serial),
  });
}

/** An unsigned OCSPRequest for one certificate (RFC 9919 §2.1), optionally with a nonce. */
export function buildOcspRequest(
  cert: Certificate,
  issuer: Certificate,
  opts: { hash?: CertIdHash; nonce?: Uint8Array } = {},
): Uint8Array {
  const certId = buildCertId(issuer, serialHex(cert.tbsCertificate.serialNumber), opts.hash ?? "sha256");
  const tbs = new TBSRequest({ requestList: [new Request({ reqCert: certId })] });
  if (opts.nonce) {
    const value = AsnSerializer.serialize(new OctetString(opts.nonce));
    tbs.requestExtensions = [
      new Extension({ extnID: id_pkix_ocsp_nonce, extnValue: new OctetString(value) }),
    ];
  }
  return new Uint8Array(AsnSerializer.serialize(new OCSPRequest({ tbsRequest: tbs })));
}

function certIdInfo(id: CertID): CertIdInfo {
  return {
    hash: hashName(id.hashAlgorithm.algorithm),
    issuerNameHash: hex(id.issuerNameHash.buffer),
    issuerKeyHash: hex(id.issuerKeyHash.buffer),
    serial: serialHex(id.serialNumber),
  };
}

/** Reads an OCSPRequest; any decoding failure is an OcspFormatError (answered malformedRequest). */
export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  let req: OCSPRequest;
  try {
    req = AsnParser.parse(der, OCSPRequest);
  } catch (e) {
    throw new OcspFormatError(`not an OCSPRequest: ${(e as Error).message}`);
  }
  const nonceExt = req.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  return {
    certIds: req.tbsRequest.requestList.map((r) => certIdInfo(r.reqCert)),
    nonce: nonceExt ? new Uint8Array(nonceExt.extnValue.buffer) : undefined,
    signed: req.optionalSignature !== undefined,
  };
}

export interface SingleStatus {
  status: "good" | "revoked" | "unknown";
  revocationTime?: Date;
  revocationReason?: number;
}

export interface OcspResponseSpec extends SingleStatus {
  certId: CertID;
  /** Signs the response; its certificates go into `certs` (the signer first). */
  signer: { key: PrivateKey; cert: Certificate; chain?: readonly Certificate[] };
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate: Date;
}

const whole = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function certStatus(s: SingleStatus): CertStatus {
  if (s.status === "good") return new CertStatus({ good: null });
  if (s.status === "unknown") return new CertStatus({ unknown: null });
  const info = new RevokedInfo({ revocationTime: whole(s.revocationTime ?? new Date(0)) });
  // RFC 5280 §5.3.1: unspecified (0) is left out.
  if (s.revocationReason) info.revocationReason = new CRLReason(s.revocationReason);
  return new CertStatus({ revoked: info });
}

/** A signed, successful OCSPResponse with one SingleResponse and no nonce (RFC 9919 §2.2). */
export function buildOcspResponse(spec: OcspResponseSpec): Uint8Array {
  const alg = defaultSignatureAlgorithm(spec.signer.key);
  // RFC 9919 §2.2.2: responders identify themselves by the SHA-1 hash of their public key.
  const keyHash = digest(
    "sha1",
    new Uint8Array(spec.signer.cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
  );
  const tbs = new ResponseData({
    responderID: new ResponderID({ byKey: new KeyHash(keyHash) }),
    producedAt: whole(spec.producedAt),
    responses: [
      new SingleResponse({
        certID: spec.certId,
        certStatus: certStatus(spec),
        thisUpdate: whole(spec.thisUpdate),
        nextUpdate: whole(spec.nextUpdate),
      }),
    ],
  });
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const signature = sign(alg, spec.signer.key, tbsDer);
  const basic = new BasicOCSPResponse({
    tbsResponseData: tbs,
    signatureAlgorithm: alg,
    signature: ab(signature),
    certs: [spec.signer.cert, ...(spec.signer.chain ?? [])],
  });
  const bytes = new ResponseBytes({
    responseType: id_pkix_ocsp_basic,
    response: new OctetString(AsnSerializer.serialize(basic)),
  });
  return new Uint8Array(
    AsnSerializer.serialize(
      new OCSPResponse({ responseStatus: OCSPResponseStatus.successful, responseBytes: bytes }),
    ),
  );
}

/** An unsigned OCSPResponse carrying only an error status (RFC 6960 §2.3). */
export function ocspErrorResponse(status: OcspErrorStatus): Uint8Array {
  return new Uint8Array(
    AsnSerializer.serialize(new OCSPResponse({ responseStatus: OCSPResponseStatus[status] })),
  );
}

export interface ParsedSingleResponse extends SingleStatus {
  certId: CertIdInfo;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ParsedOcspResponse {
  status: keyof typeof OCSPResponseStatus;
  producedAt?: Date;
  responderKeyHash?: string;
  responses: ParsedSingleResponse[];
  certs: Certificate[];
  hasNonce: boolean;
  /** True when the BasicOCSPResponse is signed by the key of `signer`. */
  verifySignature(signer: Certificate): boolean;
}

function singleResponse(r: SingleResponse): ParsedSingleResponse {
  const s = r.certStatus;
  const base = { certId: certIdInfo(r.certID), thisUpdate: r.thisUpdate, nextUpdate: r.nextUpdate };
  if (s.revoked) {
    return {
      ...base,
      status: "revoked",
      revocationTime: s.revoked.revocationTime,
      revocationReason: s.revoked.revocationReason?.reason,
    };
  }
  return { ...base, status: s.good !== undefined ? "good" : "unknown" };
}

/** Reads an OCSPResponse (our own checks and tests); failures are OcspFormatError. */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  let resp: OCSPResponse;
  let basic: BasicOCSPResponse | undefined;
  try {
    resp = AsnParser.parse(der, OCSPResponse);
    if (resp.responseBytes) {
      if (resp.responseBytes.responseType !== id_pkix_ocsp_basic) throw new Error("not a basic response");
      basic = AsnParser.parse(resp.responseBytes.response.buffer, BasicOCSPResponse);
    }
  } catch (e) {
    throw new OcspFormatError(`not an OCSPResponse: ${(e as Error).message}`);
  }
  const status = OCSPResponseStatus[resp.responseStatus] as keyof typeof OCSPResponseStatus;
  const tbs = basic?.tbsResponseData;
  const keyHash = tbs?.responderID.byKey;
  return {
    status,
    producedAt: tbs?.producedAt,
    responderKeyHash: keyHash ? hex(keyHash.buffer) : undefined,
    responses: tbs ? tbs.responses.map(singleResponse) : [],
    certs: basic?.certs ?? [],
    hasNonce: tbs?.responseExtensions?.some((e) => e.extnID === id_pkix_ocsp_nonce) ?? false,
    verifySignature: (signer: Certificate) => {
      if (!basic?.tbsResponseDataRaw) return false;
      const raw = new Uint8Array(basic.tbsResponseDataRaw);
      return verify(
        basic.signatureAlgorithm,
        certificatePublicKey(signer),
        raw,
        new Uint8Array(basic.signature),
      );
    },
  };
}

// The DER of the OIDs the fast reader compares byte for byte.
const OID_DER = {
  sha1: Buffer.from("06052b0e03021a", "hex"),
  sha256: Buffer.from("0609608648016503040201", "hex"),
  nonce: Buffer.from("06092b0601050507300102", "hex"),
};

function expectTag(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag) throw new OcspFormatError(`${what}: unexpected tag 0x${t.tag.toString(16)}`);
  return t;
}

function readCertId(buf: Uint8Array, id: Tlv): CertIdInfo {
  const [alg, nameHash, keyHash, serial] = children(buf, expectTag(id, 0x30, "CertID"));
  if (!alg || !nameHash || !keyHash || !serial) throw new OcspFormatError("CertID: missing fields");
  const oid = expectTag(children(buf, expectTag(alg, 0x30, "hashAlgorithm"))[0]!, 0x06, "hashAlgorithm");
  const oidBytes = Buffer.from(buf.buffer, buf.byteOffset + oid.start, oid.end - oid.start);
  const hash = oidBytes.equals(OID_DER.sha1)
    ? "sha1"
    : oidBytes.equals(OID_DER.sha256)
      ? "sha256"
      : oidBytes.toString("hex");
  const content = (t: Tlv, tag: number, what: string) =>
    buf.subarray(expectTag(t, tag, what).contentStart, t.end);
  return {
    hash,
    issuerNameHash: hex(content(nameHash, 0x04, "issuerNameHash")),
    issuerKeyHash: hex(content(keyHash, 0x04, "issuerKeyHash")),
    serial: serialHex(content(serial, 0x02, "serialNumber")),
  };
}

function readNonce(buf: Uint8Array, exts: Tlv): Uint8Array | undefined {
  for (const e of children(buf, expectTag(children(buf, exts)[0]!, 0x30, "Extensions"))) {
    const parts = children(buf, expectTag(e, 0x30, "Extension"));
    const oid = expectTag(parts[0]!, 0x06, "extnID");
    if (!Buffer.from(buf.buffer, buf.byteOffset + oid.start, oid.end - oid.start).equals(OID_DER.nonce))
      continue;
    const value = expectTag(parts[parts.length - 1]!, 0x04, "extnValue");
    return buf.slice(value.contentStart, value.end);
  }
  return undefined;
}

/**
 * Reads an OCSPRequest with the DER walker: the serving path's reader (the schema parser costs ~30x
 * more), kept equal to parseOcspRequest by a differential test; rejects trailing bytes.
 */
export function readOcspRequest(der: Uint8Array): ParsedOcspRequest {
  try {
    const outer = expectTag(readTlv(der, 0), 0x30, "OCSPRequest");
    if (outer.end !== der.length) throw new OcspFormatError("trailing bytes after the OCSPRequest");
    const [tbs, sig] = children(der, outer);
    let certIds: CertIdInfo[] = [];
    let nonce: Uint8Array | undefined;
    for (const t of children(der, expectTag(tbs!, 0x30, "TBSRequest"))) {
      if (t.tag === 0x30)
        certIds = children(der, t).map((r) =>
          readCertId(der, children(der, expectTag(r, 0x30, "Request"))[0]!),
        );
      else if (t.tag === 0xa2) nonce = readNonce(der, t);
      else if (t.tag !== 0xa0 && t.tag !== 0xa1) throw new OcspFormatError("TBSRequest: unexpected field");
    }
    if (sig && sig.tag !== 0xa0) throw new OcspFormatError("optionalSignature: unexpected tag");
    return { certIds, nonce, signed: sig !== undefined };
  } catch (e) {
    if (e instanceof OcspFormatError) throw e;
    throw new OcspFormatError(`not an OCSPRequest: ${(e as Error).message}`);
  }
}
