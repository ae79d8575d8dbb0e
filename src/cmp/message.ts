// PKIMessage decoding and encoding: typed errors for malformed input, raw parts kept for protection.
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import {
  contextTagged,
  DerReader,
  DerSyntaxError,
  readPKIHeader,
  type DerElement,
} from "../asn1/der/index.js";
import { noteCertRequests } from "../asn1/der/crmf-received.js";
import { isWellFormed, noteWellFormed } from "../asn1/der/received.js";
import { readCertReqMessages } from "../asn1/der/crmf-reader.js";
import {
  CMPCertificates,
  PKIBody,
  PKIBodyTypes,
  PKIMessage,
  PKIMessageRawExtraCerts,
  type PKIBodyType,
} from "../asn1/cmp.js";
import {
  children as derChildren,
  derSequence,
  DerError,
  readTlv as derReadTlv,
  type Tlv,
} from "../pki/der.js";
import { MessageDecodeError } from "./errors.js";
import { certEntry, type CertEntry } from "../pki/path/types.js";

function readTlv(buf: Uint8Array, offset: number, limit?: number): Tlv {
  try {
    return derReadTlv(buf, offset, limit);
  } catch (e) {
    if (e instanceof DerError) throw new MessageDecodeError(e.message);
    throw e;
  }
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  try {
    return derChildren(buf, parent);
  } catch (e) {
    if (e instanceof DerError) throw new MessageDecodeError(e.message);
    throw e;
  }
}

/** Bounds on what one received PKIMessage may hold; every breach is a MessageDecodeError (badDataFormat). */
export interface DecodeLimits {
  /** ASN.1 elements in the whole message (parsing time grows with them). */
  maxNodes: number;
  /** Nesting depth of ASN.1 elements. */
  maxDepth: number;
  /** Certificates in extraCerts. */
  maxExtraCerts: number;
  /** Total DER bytes of extraCerts. */
  maxExtraCertsBytes: number;
}

// Schema parsing costs up to ~10 µs per element: the server default (config server.limits) is far
// lower; this library default leaves room for a client receiving CRLs in a genp.
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = {
  maxNodes: 20_000,
  maxDepth: 64,
  maxExtraCerts: 32,
  maxExtraCertsBytes: 512 * 1024,
};
const decodeLimits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS };

/** Sets the limits decodePKIMessage applies by default (a server sets them from its configuration). */
export function setDecodeLimits(limits: Partial<DecodeLimits>): void {
  Object.assign(decodeLimits, limits);
}

function parseLimits(l: DecodeLimits) {
  return { berOptions: { maxDepth: l.maxDepth, maxNodes: l.maxNodes, maxContentLength: 16 * 1024 * 1024 } };
}

/**
 * Counts the elements of the message with the DER walker (well under a millisecond for a megabyte),
 * so that a message beyond the node or depth limit is refused before the costly schema parse.
 */
function checkShape(der: Uint8Array, outer: Tlv, l: DecodeLimits): void {
  let nodes = 0;
  const stack: { pos: number; end: number }[] = [{ pos: outer.contentStart, end: outer.end }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.pos >= top.end) {
      stack.pop();
      continue;
    }
    const t = readTlv(der, top.pos, top.end);
    top.pos = t.end;
    if (++nodes > l.maxNodes) throw new MessageDecodeError(`more than ${l.maxNodes} ASN.1 elements`);
    if (t.tag & 0x20) {
      if (stack.length >= l.maxDepth) throw new MessageDecodeError(`ASN.1 nesting deeper than ${l.maxDepth}`);
      stack.push({ pos: t.contentStart, end: t.end });
    }
  }
}

/** The certificates of extraCerts as received, within the count and size limits. */
function extraCertTlvs(der: Uint8Array, extraTlv: Tlv, l: DecodeLimits): Tlv[] {
  // Checked before anything is parsed, so an oversized list costs no parsing (RFC 9483 §3.3 extraCerts).
  if (extraTlv.end - extraTlv.contentStart > l.maxExtraCertsBytes)
    throw new MessageDecodeError(`extraCerts larger than ${l.maxExtraCertsBytes} bytes`);
  const seq = readTlv(der, extraTlv.contentStart, extraTlv.end);
  if (seq.tag !== 0x30 || seq.end !== extraTlv.end)
    throw new MessageDecodeError("extraCerts is not a SEQUENCE");
  const items = children(der, seq);
  if (items.length === 0) throw new MessageDecodeError("extraCerts is empty");
  if (items.length > l.maxExtraCerts)
    throw new MessageDecodeError(`more than ${l.maxExtraCerts} certificates in extraCerts`);
  return items;
}

/** A decoded PKIMessage together with the exact bytes it came from. */
export interface DecodedMessage {
  readonly message: PKIMessage;
  readonly bodyType: PKIBodyType;
  /** The whole message as received. */
  readonly der: Uint8Array;
  /** DER of ProtectedPart ::= SEQUENCE { header, body } built from the received bytes. */
  readonly protectedPart: Uint8Array;
  /** The extraCerts as received, parsed and raw, in order. */
  readonly extraCerts: CertEntry[];
}

/** The name of the PKIBody choice that is set. */
export function bodyTypeOf(body: PKIBody): PKIBodyType {
  for (const name of PKIBodyTypes) {
    if (body[name] !== undefined) return name;
  }
  throw new MessageDecodeError("the PKIBody has no known choice");
}

/**
 * Decodes a DER PKIMessage; every failure is a MessageDecodeError (failInfo badDataFormat).
 * The message is split with the strict DER reader; only the PKIHeader and the PKIBody go through
 * the schema parser, protection and extraCerts (RFC 9810 §5.1) are read directly from the input.
 */
export function decodePKIMessage(input: Uint8Array, limits?: Partial<DecodeLimits>): DecodedMessage {
  const l = limits ? { ...decodeLimits, ...limits } : decodeLimits;
  const der = plainBytes(input);
  if (der.length === 0) throw new MessageDecodeError("empty input");
  try {
    const outer = new DerReader(der).read();
    if (outer.tag !== 0x30) throw new MessageDecodeError("a PKIMessage must be a SEQUENCE");
    if (outer.bytes.length !== der.length) {
      throw new MessageDecodeError(
        `${der.length - outer.bytes.length} trailing byte(s) after the PKIMessage`,
      );
    }
    const parts = DerReader.of(outer).all();
    if (parts.length < 2 || parts.length > 4) throw new MessageDecodeError("a PKIMessage has 2 to 4 fields");
    checkShape(der, readTlv(der, 0), l);
    const [header, body, ...rest] = parts as [DerElement, DerElement, ...DerElement[]];
    const message = new PKIMessage({
      header: readPKIHeader(header, parseLimits(l)),
      body: readBody(body, parseLimits(l)),
    });
    checkHeaderEncodable(message);
    noteCertRequests(body, message.body);
    let extraCerts: CertEntry[] = [];
    let next = rest.shift();
    if (next?.tag === 0xa0) {
      message.protection = protectionBits(next);
      next = rest.shift();
    }
    if (next?.tag === 0xa1) {
      extraCerts = extraCertEntries(next, l);
      message.extraCerts = new CMPCertificates(extraCerts.map((e) => e.cert));
      next = rest.shift();
    }
    if (next)
      throw new MessageDecodeError(`unexpected field with tag 0x${next.tag.toString(16)} in a PKIMessage`);
    const bodyType = bodyTypeOf(message.body);
    return { message, bodyType, der, protectedPart: derSequence(header.bytes, body.bytes), extraCerts };
  } catch (e) {
    if (e instanceof MessageDecodeError) throw e;
    throw new MessageDecodeError(describeParseError(e), { cause: e });
  }
}

/** The PKIBody choices that hold CertReqMessages: ir [0], cr [2], kur [7], ccr [13] (RFC 9810 §5.1.2). */
const CERT_REQUEST_BODIES: Partial<Record<number, "ir" | "cr" | "kur" | "ccr">> = {
  0xa0: "ir",
  0xa2: "cr",
  0xa7: "kur",
  0xad: "ccr",
};

/**
 * The PKIBody: certificate requests through the direct CRMF reader, the rest (and a request body in
 * any encoding that reader leaves alone) through the schema parser.
 */
function readBody(body: DerElement, options: ReturnType<typeof parseLimits>): PKIBody {
  const choice = CERT_REQUEST_BODIES[body.tag];
  if (choice) {
    try {
      const r = DerReader.of(body);
      const inner = r.read();
      if (r.empty) return new PKIBody({ [choice]: readCertReqMessages(inner, options) });
    } catch (e) {
      if (!(e instanceof DerSyntaxError)) throw e;
    }
  }
  return AsnParser.parse(contextTagged(body, "PKIBody"), PKIBody, options);
}

/** PKIProtection ::= BIT STRING inside [0] (RFC 9810 §5.1); DER: primitive, 0..7 unused bits. */
function protectionBits(tagged: DerElement): BitString {
  const r = DerReader.of(tagged);
  const bits = r.expect(0x03, "PKIProtection");
  r.finish("PKIProtection");
  const unused = bits.content[0];
  if (unused === undefined || unused > 7 || (unused > 0 && bits.content.length === 1))
    throw new MessageDecodeError("PKIProtection is not a valid BIT STRING");
  return new BitString(bits.content.slice(1), unused);
}

/**
 * extraCerts [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate, within the count and size limits (checked
 * before anything is parsed). Received certificates are not cached: only what authenticates may stay
 * (retainCertEntry).
 */
function extraCertEntries(tagged: DerElement, l: DecodeLimits): CertEntry[] {
  if (tagged.content.length > l.maxExtraCertsBytes)
    throw new MessageDecodeError(`extraCerts larger than ${l.maxExtraCertsBytes} bytes`);
  const r = DerReader.of(tagged);
  const seq = r.read();
  if (seq.tag !== 0x30 || !r.empty) throw new MessageDecodeError("extraCerts is not a SEQUENCE");
  const items = DerReader.of(seq).all();
  if (items.length === 0) throw new MessageDecodeError("extraCerts is empty");
  if (items.length > l.maxExtraCerts)
    throw new MessageDecodeError(`more than ${l.maxExtraCerts} certificates in extraCerts`);
  return items.map((t) => certEntry(t.bytes.slice(), { cache: false }));
}

function plainBytes(input: Uint8Array): Uint8Array {
  return input instanceof Buffer ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
}

/** The schema-parser decoding of a PKIMessage: the reference the fast path is tested against. */
export function decodePKIMessageSchema(input: Uint8Array, limits?: Partial<DecodeLimits>): DecodedMessage {
  const l = limits ? { ...decodeLimits, ...limits } : decodeLimits;
  const der = plainBytes(input);
  if (der.length === 0) throw new MessageDecodeError("empty input");
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new MessageDecodeError("a PKIMessage must be a SEQUENCE");
  if (outer.end !== der.length) {
    throw new MessageDecodeError(`${der.length - outer.end} trailing byte(s) after the PKIMessage`);
  }
  const parts = children(der, outer);
  if (parts.length < 2 || parts.length > 4) throw new MessageDecodeError("a PKIMessage has 2 to 4 fields");
  checkShape(der, outer, l);
  const [header, body] = parts as [Tlv, Tlv];
  let message: PKIMessage;
  let extraCerts: CertEntry[] = [];
  try {
    const extraTlv = parts.slice(2).find((p) => p.tag === 0xa1);
    const extraItems = extraTlv ? extraCertTlvs(der, extraTlv, l) : [];
    const raw = AsnParser.parse(der, PKIMessageRawExtraCerts, parseLimits(l));
    message = new PKIMessage({ header: raw.header, body: raw.body, protection: raw.protection });
    checkHeaderEncodable(message);
    if (extraItems.length > 0) {
      // Received certificates are not cached: only what authenticates may stay (retainCertEntry).
      extraCerts = extraItems.map((t) => certEntry(der.slice(t.start, t.end), { cache: false }));
      message.extraCerts = new CMPCertificates(extraCerts.map((e) => e.cert));
    }
  } catch (e) {
    if (e instanceof MessageDecodeError) throw e;
    throw new MessageDecodeError(describeParseError(e), { cause: e });
  }
  const bodyType = bodyTypeOf(message.body);
  const protectedPart = derSequence(
    der.subarray(header.start, header.end),
    der.subarray(body.start, body.end),
  );
  return { message, bodyType, der, protectedPart, extraCerts };
}

/**
 * The answer repeats the request's names and identifiers (RFC 9483 §3.1), so a header the schema cannot
 * write back (e.g. a sender Name attribute that is a UTCTime holding text) is refused here as badDataFormat.
 */
/**
 * The schema-parsed parts of the header serialise again (a value that parses but cannot be written,
 * such as a UTCTime holding text, is refused here, not when an answer names it). The other fields were
 * decoded from DER and always do.
 */
function checkHeaderEncodable(message: PKIMessage): void {
  const h = message.header;
  try {
    // Names are shared between messages (src/asn1/der/pki-header.ts): each is checked once.
    for (const part of [h.sender, h.recipient, h.protectionAlg, h.freeText, h.generalInfo]) {
      if (!part || isWellFormed(part)) continue;
      AsnSerializer.serialize(part);
      if (part === h.sender || part === h.recipient) noteWellFormed(part);
    }
  } catch (e) {
    throw new MessageDecodeError(
      `the PKIHeader holds a value that is not well-formed: ${describeParseError(e)}`,
    );
  }
}

/** The received DER of the element inside the PKIBody's explicit tag (e.g. the PKCS#10 request of a p10cr). */
export function bodyContentDer(decoded: DecodedMessage): Uint8Array {
  const der = decoded.der;
  const outer = readTlv(der, 0);
  const body = children(der, outer)[1]!;
  const inner = readTlv(der, body.contentStart, body.end);
  return der.subarray(inner.start, inner.end);
}

/** Decodes the PKIMessages inside a `nested` body (RFC 9810 §5.1.3.4 / RFC 9483 §5.2.2.2). */
export function decodeNested(body: PKIBody): DecodedMessage[] {
  return nestedMessages(body).map((m) => decodePKIMessage(m.der));
}

/**
 * The PKIMessages inside a `nested` body as received, each with its body type read from the body's tag,
 * so that each can be decoded (and refused) on its own.
 */
export function nestedMessages(body: PKIBody): { der: Uint8Array; bodyType?: PKIBodyType }[] {
  if (!body.nested) throw new MessageDecodeError("not a nested message");
  const raw = new Uint8Array(body.nested);
  const seq = readTlv(raw, 0);
  if (seq.tag !== 0x30 || seq.end !== raw.length)
    throw new MessageDecodeError("nested content is not a SEQUENCE");
  const items = children(raw, seq);
  if (items.length === 0) throw new MessageDecodeError("nested content holds no message");
  return items.map((t) => {
    const der = raw.slice(t.start, t.end);
    let bodyType: PKIBodyType | undefined;
    try {
      const parts = children(der, readTlv(der, 0));
      const tag = parts[1]?.tag ?? -1;
      if ((tag & 0xe0) === 0xa0) bodyType = PKIBodyTypes[tag & 0x1f];
    } catch {
      // left to the decoder of the single message, which names the fault
    }
    return { der, bodyType };
  });
}

/** DER of a `nested` body's content from already encoded messages. */
export function encodeNestedContent(messages: readonly Uint8Array[]): ArrayBuffer {
  const seq = derSequence(...messages);
  return seq.buffer.slice(seq.byteOffset, seq.byteOffset + seq.byteLength) as ArrayBuffer;
}

export function encodePKIMessage(message: PKIMessage): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(message));
}

/** DER of ProtectedPart for a message we build (header and body as we will send them). */
export function encodeProtectedPart(message: PKIMessage): Uint8Array {
  return derSequence(
    new Uint8Array(AsnSerializer.serialize(message.header)),
    new Uint8Array(AsnSerializer.serialize(message.body)),
  );
}

function describeParseError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // Parser messages can be long and repetitive; the first line names the failing element.
  return text.split("\n")[0]!.slice(0, 200);
}
