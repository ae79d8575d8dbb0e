// Streaming DER writer of CRLs (RFC 5280 §5.1): a first pass over the entries measures the TBSCertList,
// a second writes it straight into the one buffer that becomes the signed CertificateList.

/** One revoked certificate of a CRL (RFC 5280 §5.1.2.6, §5.3). */
export interface RevokedEntry {
  /** Lowercase hex, without a sign byte. */
  serial: string;
  revocationTime: Date;
  /** CRLReason code (RFC 5280 §5.3.1); 0 (unspecified) and undefined add no reasonCode extension. */
  reason?: number;
  /** RFC 5280 §5.3.2: when the key is known or suspected to have been compromised. */
  invalidityDate?: Date;
}

/** The entries of a CRL read twice (measure, then write): an array, or a function that starts a new pass. */
export type RevokedSource =
  readonly RevokedEntry[] | (() => AsyncIterable<RevokedEntry> | Iterable<RevokedEntry>);

/** The entries changed between the two passes (a revocation arrived meanwhile): build again. */
export class CrlSourceChanged extends Error {
  override readonly name = "CrlSourceChanged";
}

/** Bytes of a DER length field. */
export function lengthSize(n: number): number {
  if (n < 0x80) return 1;
  let k = 1;
  for (let l = n; l > 0xff; l = Math.floor(l / 256)) k++;
  return 1 + k;
}

/** Size of one TLV with content length n and a single-byte tag. */
export const tlvSize = (n: number): number => 1 + lengthSize(n) + n;

/** A cursor over a preallocated buffer. */
export class DerCursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  header(tag: number, len: number): void {
    const b = this.buf;
    b[this.pos++] = tag;
    if (len < 0x80) {
      b[this.pos++] = len;
      return;
    }
    const n = lengthSize(len) - 1;
    b[this.pos++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) b[this.pos++] = Math.floor(len / 256 ** i) & 0xff;
  }

  bytes(u: Uint8Array): void {
    this.buf.set(u, this.pos);
    this.pos += u.length;
  }
}

/** The serial's INTEGER content: even-length hex, with a zero byte when the top bit is set. */
function serialContent(serial: string): { hex: string; pad: boolean } {
  const hex = serial.length % 2 ? `0${serial}` : serial;
  return { hex, pad: parseInt(hex.slice(0, 1), 16) >= 8 };
}

const twoDigits = (b: Buffer, pos: number, v: number) => {
  b[pos] = 0x30 + Math.floor(v / 10);
  b[pos + 1] = 0x30 + (v % 10);
};

/** RFC 5280 §5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050 (always for invalidityDate). */
function timeSize(d: Date, generalized = false): number {
  return generalized || d.getUTCFullYear() >= 2050 ? 17 : 15;
}

function writeTime(c: DerCursor, d: Date, generalized = false): void {
  const y = d.getUTCFullYear();
  const g = generalized || y >= 2050;
  c.header(g ? 0x18 : 0x17, g ? 15 : 13);
  const b = c.buf;
  if (g) {
    twoDigits(b, c.pos, Math.floor(y / 100));
    c.pos += 2;
  }
  const parts = [y % 100, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  for (const v of [...parts, d.getUTCSeconds()]) {
    twoDigits(b, c.pos, v);
    c.pos += 2;
  }
  b[c.pos++] = 0x5a; // "Z"
}

// Extension { extnID reasonCode (2.5.29.21), extnValue OCTET STRING { ENUMERATED } }: 12 bytes.
const REASON_EXT = Buffer.from("300a0603551d150403", "hex");
// Extension { extnID invalidityDate (2.5.29.24), extnValue OCTET STRING { GeneralizedTime } }.
const INVALIDITY_EXT = Buffer.from("30180603551d180411", "hex");

function extensionsLength(e: RevokedEntry): number {
  let n = 0;
  if (e.reason !== undefined && e.reason !== 0) n += 12;
  if (e.invalidityDate) n += 26;
  return n;
}

/** Encoded size of one revokedCertificates entry. */
export function entrySize(e: RevokedEntry): number {
  const s = serialContent(e.serial);
  let n = tlvSize(s.hex.length / 2 + (s.pad ? 1 : 0)) + timeSize(e.revocationTime);
  const x = extensionsLength(e);
  if (x) n += tlvSize(x);
  return tlvSize(n);
}

export function writeEntry(c: DerCursor, e: RevokedEntry): void {
  const s = serialContent(e.serial);
  const serialLen = s.hex.length / 2 + (s.pad ? 1 : 0);
  const x = extensionsLength(e);
  c.header(0x30, tlvSize(serialLen) + timeSize(e.revocationTime) + (x ? tlvSize(x) : 0));
  c.header(0x02, serialLen);
  if (s.pad) c.buf[c.pos++] = 0;
  c.pos += c.buf.write(s.hex, c.pos, "hex");
  writeTime(c, e.revocationTime);
  if (!x) return;
  c.header(0x30, x);
  if (e.reason !== undefined && e.reason !== 0) {
    c.bytes(REASON_EXT);
    c.bytes(Uint8Array.of(0x0a, 0x01, e.reason));
  }
  if (e.invalidityDate) {
    c.bytes(INVALIDITY_EXT);
    writeTime(c, e.invalidityDate, true);
  }
}

function passOf(src: RevokedSource): AsyncIterable<RevokedEntry> | Iterable<RevokedEntry> {
  return typeof src === "function" ? src() : src;
}

/** First pass: the number of entries and the length of their SEQUENCE's content. */
export async function measureEntries(src: RevokedSource): Promise<{ count: number; length: number }> {
  let count = 0;
  let length = 0;
  for await (const e of passOf(src)) {
    count++;
    length += entrySize(e);
  }
  return { count, length };
}

/** Second pass: writes exactly `expected` entries; throws CrlSourceChanged when they differ. */
export async function writeEntries(
  c: DerCursor,
  src: RevokedSource,
  expected: { count: number; length: number },
): Promise<void> {
  const start = c.pos;
  let count = 0;
  for await (const e of passOf(src)) {
    if (++count > expected.count || c.pos + entrySize(e) > start + expected.length) {
      throw new CrlSourceChanged("revoked certificates changed while the CRL was written");
    }
    writeEntry(c, e);
  }
  if (count !== expected.count || c.pos !== start + expected.length) {
    throw new CrlSourceChanged("revoked certificates changed while the CRL was written");
  }
}

export { writeTime, timeSize };
