// CRLs (RFC 5280 §5): version 2 with crlNumber, authorityKeyIdentifier and, for a partitioned CRL, a
// critical issuingDistributionPoint; reason codes by name or number; signed over one streamed buffer.
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  DistributionPointName,
  Extension,
  Extensions,
  GeneralName,
  IssuingDistributionPoint,
  id_ce_authorityKeyIdentifier,
  id_ce_issuingDistributionPoint,
  KeyIdentifier,
  Name as NameSchema,
  type Name,
} from "@peculiar/asn1-x509";
import { defaultSignatureAlgorithm, sign, type PrivateKey } from "../crypto/index.js";
import {
  DerCursor,
  lengthSize,
  measureEntries,
  timeSize,
  tlvSize,
  writeEntries,
  writeTime,
  type RevokedEntry,
  type RevokedSource,
} from "./crl-writer.js";
import { children, readTlv, type Tlv } from "./der.js";

export { CrlSourceChanged, type RevokedEntry, type RevokedSource } from "./crl-writer.js";

/** RFC 5280 §5.3.1 CRLReason codes; 7 is not used. */
export const CRL_REASONS: Readonly<Record<string, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

/** Whether `code` is a CRLReason (RFC 5280 §5.3.1: 0-6 and 8-10). */
export function isCrlReason(code: number): boolean {
  return Object.values(CRL_REASONS).includes(code);
}

/** A CRLReason by name (any case) or number, removeFromCRL included; undefined when it is none. */
export function crlReasonCode(v: string | number): number | undefined {
  const text = String(v).trim();
  const byName = Object.entries(CRL_REASONS).find(([n]) => n.toLowerCase() === text.toLowerCase());
  if (byName) return byName[1];
  return /^\d+$/.test(text) && isCrlReason(Number(text)) ? Number(text) : undefined;
}

/** "0 unspecified, 1 keyCompromise, ..." for help texts and errors. */
export const CRL_REASON_HELP = Object.entries(CRL_REASONS)
  .map(([n, c]) => `${c} ${n}`)
  .join(", ");

export class CrlReasonError extends Error {
  override readonly name = "CrlReasonError";
}

/**
 * A revocation reason given by name ("keyCompromise") or number ("1"). RFC 5280 §5.3.1: 7 does not
 * exist, and removeFromCRL (8) belongs only in delta CRLs, so it cannot be the reason of a revocation.
 */
export function parseCrlReason(v: string | number): number {
  const text = String(v).trim();
  const code = crlReasonCode(text);
  const allowed = Object.entries(CRL_REASONS)
    .filter(([, c]) => c !== 8)
    .map(([n, c]) => `${n} (${c})`)
    .join(", ");
  if (code === undefined || code === 8) {
    throw new CrlReasonError(`"${text}" is not a revocation reason RFC 5280 allows; use one of ${allowed}`);
  }
  return code;
}

export function crlReasonName(code: number): string {
  return Object.entries(CRL_REASONS).find(([, c]) => c === code)?.[0] ?? `reason ${code}`;
}

export interface CrlSpec {
  issuer: Name;
  issuerKey: PrivateKey;
  issuerKeyId?: Uint8Array;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: RevokedSource;
  /** RFC 5280 §5.2.5: the distribution point URI(s) this partition of the CRL is published under. */
  distributionPoint?: readonly string[];
}

const der = (v: unknown) => new Uint8Array(AsnSerializer.serialize(v));

function ext(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return der(new Extension({ extnID: id, critical, extnValue: new OctetString(value) }));
}

/** INTEGER content of a non-negative bigint. */
function bigintDer(n: bigint): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  const body = Buffer.from(hex, "hex");
  return Uint8Array.of(0x02, body.length, ...body);
}

/** The [0] EXPLICIT crlExtensions of the TBSCertList. */
function crlExtensions(spec: CrlSpec): Uint8Array {
  const list: Uint8Array[] = [];
  if (spec.issuerKeyId) {
    const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(spec.issuerKeyId) });
    list.push(ext(id_ce_authorityKeyIdentifier, false, der(aki)));
  }
  // RFC 5280 §5.2.3: crlNumber, non-critical, monotonically increasing.
  list.push(ext("2.5.29.20", false, bigintDer(spec.crlNumber)));
  if (spec.distributionPoint?.length) {
    const fullName = spec.distributionPoint.map((u) => new GeneralName({ uniformResourceIdentifier: u }));
    const idp = new IssuingDistributionPoint({
      distributionPoint: new DistributionPointName({ fullName }),
    });
    list.push(ext(id_ce_issuingDistributionPoint, true, der(idp)));
  }
  const inner = Buffer.concat(list);
  const extsDer = Buffer.concat([header(0x30, inner.length), inner]);
  return Buffer.concat([Buffer.from(header(0xa0, extsDer.length)), extsDer]);
}

function header(tag: number, len: number): Uint8Array {
  const c = new DerCursor(Buffer.alloc(6), 0);
  c.header(tag, len);
  return c.buf.subarray(0, c.pos);
}

// Slack for the outer header, signatureAlgorithm and signature BIT STRING (SLH-DSA signatures are largest).
const TAIL_SLACK = 64 * 1024;

/**
 * Builds and signs a CRL. The entries are read twice (measure, write) and written once into the buffer
 * returned, so a CRL of a million entries is held in memory once.
 */
export async function buildCrlStream(spec: CrlSpec): Promise<Uint8Array> {
  const alg = defaultSignatureAlgorithm(spec.issuerKey);
  const algDer = der(alg);
  const fixed = [Uint8Array.of(0x02, 0x01, 0x01), algDer, der(spec.issuer)];
  const exts = crlExtensions(spec);
  const entries = await measureEntries(spec.revoked);
  const times = timeSize(spec.thisUpdate) + timeSize(spec.nextUpdate);
  const revokedLen = entries.count ? tlvSize(entries.length) : 0;
  const tbsContent = fixed.reduce((n, f) => n + f.length, 0) + times + revokedLen + exts.length;
  const tbsLen = tlvSize(tbsContent);
  // The outer SEQUENCE header (at most 6 bytes) is written in front of the TBS once its length is known.
  const buf = Buffer.allocUnsafe(6 + tbsLen + algDer.length + TAIL_SLACK);
  const c = new DerCursor(buf, 6);
  c.header(0x30, tbsContent);
  for (const f of fixed) c.bytes(f);
  writeTime(c, new Date(Math.floor(spec.thisUpdate.getTime() / 1000) * 1000));
  writeTime(c, new Date(Math.floor(spec.nextUpdate.getTime() / 1000) * 1000));
  if (entries.count) {
    c.header(0x30, entries.length);
    await writeEntries(c, spec.revoked, entries);
  }
  c.bytes(exts);
  const tbs = buf.subarray(6, c.pos);
  const sig = sign(alg, spec.issuerKey, tbs);
  const tail = algDer.length + tlvSize(sig.length + 1);
  const total = tbsLen + tail;
  if (tail > algDer.length + TAIL_SLACK) {
    return Buffer.concat([
      header(0x30, total),
      tbs,
      algDer,
      header(0x03, sig.length + 1),
      Uint8Array.of(0),
      sig,
    ]);
  }
  c.bytes(algDer);
  c.header(0x03, sig.length + 1);
  buf[c.pos++] = 0;
  c.bytes(sig);
  const start = 6 - (1 + lengthSize(total));
  new DerCursor(buf, start).header(0x30, total);
  return new Uint8Array(buf.buffer, buf.byteOffset + start, c.pos - start);
}

/** Builds and signs a CRL over entries held in memory. */
export function buildCrl(spec: CrlSpec & { revoked: readonly RevokedEntry[] }): Promise<Uint8Array> {
  return buildCrlStream(spec);
}

/** A CRL as a relying party reads it: the header fields and the revoked serials. */
export interface ParsedCrl {
  der: Uint8Array;
  /** The signed TBSCertList bytes as received. */
  tbs: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: Name;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  /** URIs of the issuingDistributionPoint (RFC 5280 §5.2.5), when the CRL is a partition. */
  distributionPoint?: string[];
  /** Critical CRL extensions this parser does not know (such a CRL must not be used, RFC 5280 §5.2). */
  unknownCritical: string[];
  /** By lowercase hex serial. */
  revoked: Map<string, { revocationTime: Date; reason?: number }>;
}

export class CrlFormatError extends Error {
  override readonly name = "CrlFormatError";
}

const DIGITS = (b: Uint8Array, at: number, n: number) => {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 10 + (b[at + i]! - 0x30);
  return v;
};

/** UTCTime or GeneralizedTime in the Z form DER requires. */
function readTime(b: Uint8Array, t: Tlv): Date {
  let p = t.contentStart;
  let year: number;
  if (t.tag === 0x17) {
    year = DIGITS(b, p, 2);
    year += year < 50 ? 2000 : 1900;
    p += 2;
  } else if (t.tag === 0x18) {
    year = DIGITS(b, p, 4);
    p += 4;
  } else throw new CrlFormatError("a CRL time is neither UTCTime nor GeneralizedTime");
  const [mo, d, h, mi, s] = [0, 2, 4, 6, 8].map((o) => DIGITS(b, p + o, 2)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, mo - 1, d, h, mi, s));
}

function readSerial(b: Uint8Array, t: Tlv): string {
  let s = t.contentStart;
  while (s < t.end - 1 && b[s] === 0) s++;
  return Buffer.from(b.buffer, b.byteOffset + s, t.end - s).toString("hex");
}

function entryReason(b: Uint8Array, exts: Tlv): number | undefined {
  for (const x of children(b, exts)) {
    const [id, ...rest] = children(b, x);
    const oid = Buffer.from(b.subarray(id!.contentStart, id!.end)).toString("hex");
    if (oid !== "551d15") continue;
    const value = rest[rest.length - 1]!;
    const en = readTlv(b, value.contentStart, value.end);
    return b[en.end - 1];
  }
  return undefined;
}

function readExtensions(b: Uint8Array, t: Tlv, out: ParsedCrl): void {
  const list = AsnParser.parse(b.subarray(t.start, t.end), Extensions);
  for (const x of list) {
    if (x.extnID === "2.5.29.20") {
      const v = new Uint8Array(x.extnValue.buffer);
      const i = readTlv(v, 0);
      out.crlNumber = BigInt(`0x${Buffer.from(v.subarray(i.contentStart, i.end)).toString("hex") || "0"}`);
    } else if (x.extnID === id_ce_issuingDistributionPoint) {
      const idp = AsnParser.parse(x.extnValue.buffer, IssuingDistributionPoint);
      out.distributionPoint = (idp.distributionPoint?.fullName ?? [])
        .map((g) => g.uniformResourceIdentifier)
        .filter((u): u is string => u !== undefined);
    } else if (x.critical && x.extnID !== id_ce_authorityKeyIdentifier) {
      out.unknownCritical.push(x.extnID);
    }
  }
}

/** Reads a DER CRL (RFC 5280 §5.1) without materializing each entry as an object tree. */
export function parseCrl(input: Uint8Array): ParsedCrl {
  try {
    const outer = readTlv(input, 0);
    // A signed object is exactly its DER: nothing may follow it.
    if (outer.end !== input.length)
      throw new CrlFormatError(`${input.length - outer.end} byte(s) after the CRL`);
    const [tbsT, algT, sigT] = children(input, outer);
    if (!tbsT || !algT || !sigT) throw new CrlFormatError("a CRL has three parts");
    const parts = children(input, tbsT);
    let i = parts[0]?.tag === 0x02 ? 1 : 0;
    const slice = (t: Tlv) => input.subarray(t.start, t.end);
    const out: ParsedCrl = {
      der: input,
      tbs: slice(tbsT),
      signatureAlgorithm: AsnParser.parse(slice(algT), AlgorithmIdentifier),
      signature: input.subarray(sigT.contentStart + 1, sigT.end),
      issuer: AsnParser.parse(slice(parts[i + 1]!), NameSchema),
      thisUpdate: readTime(input, parts[i + 2]!),
      unknownCritical: [],
      revoked: new Map(),
    };
    i += 3;
    if (parts[i] && (parts[i]!.tag === 0x17 || parts[i]!.tag === 0x18))
      out.nextUpdate = readTime(input, parts[i++]!);
    if (parts[i]?.tag === 0x30) {
      for (const e of children(input, parts[i++]!)) {
        const [serial, time, exts] = children(input, e);
        const reason = exts ? entryReason(input, exts) : undefined;
        out.revoked.set(readSerial(input, serial!), { revocationTime: readTime(input, time!), reason });
      }
    }
    if (parts[i]?.tag === 0xa0) readExtensions(input, readTlv(input, parts[i]!.contentStart), out);
    return out;
  } catch (e) {
    if (e instanceof CrlFormatError) throw e;
    throw new CrlFormatError(`not a DER CRL: ${(e as Error).message}`);
  }
}
