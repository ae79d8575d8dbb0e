// PKIMessage decoding and encoding: typed errors for malformed input, raw parts kept for protection.
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import { contextTagged, DerReader, readPKIHeader, type DerElement } from "../asn1/der/index.js";
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
import { certEntry, type CertEntry } from "../pki/path.js";

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

/** Resource limits for untrusted input, passed to the ASN.1 parser. */
const PARSE_LIMITS = { berOptions: { maxDepth: 64, maxNodes: 200_000, maxContentLength: 16 * 1024 * 1024 } };

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
export function decodePKIMessage(input: Uint8Array): DecodedMessage {
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
    const [header, body, ...rest] = parts as [DerElement, DerElement, ...DerElement[]];
    const message = new PKIMessage({
      header: readPKIHeader(header, PARSE_LIMITS),
      body: AsnParser.parse(contextTagged(body, "PKIBody"), PKIBody, PARSE_LIMITS),
    });
    let extraCerts: CertEntry[] = [];
    let next = rest.shift();
    if (next?.tag === 0xa0) {
      message.protection = protectionBits(next);
      next = rest.shift();
    }
    if (next?.tag === 0xa1) {
      extraCerts = extraCertEntries(next);
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

/** extraCerts [1] SEQUENCE SIZE (1..MAX) OF CMPCertificate; certificates parse through a cache. */
function extraCertEntries(tagged: DerElement): CertEntry[] {
  const r = DerReader.of(tagged);
  const seq = r.read();
  if (seq.tag !== 0x30 || !r.empty) throw new MessageDecodeError("extraCerts is not a SEQUENCE");
  const entries = DerReader.of(seq)
    .all()
    .map((t) => certEntry(t.bytes.slice()));
  if (entries.length === 0) throw new MessageDecodeError("extraCerts is empty");
  return entries;
}

function plainBytes(input: Uint8Array): Uint8Array {
  return input instanceof Buffer ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
}

/** The schema-parser decoding of a PKIMessage: the reference the fast path is tested against. */
export function decodePKIMessageSchema(input: Uint8Array): DecodedMessage {
  const der = plainBytes(input);
  if (der.length === 0) throw new MessageDecodeError("empty input");
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new MessageDecodeError("a PKIMessage must be a SEQUENCE");
  if (outer.end !== der.length) {
    throw new MessageDecodeError(`${der.length - outer.end} trailing byte(s) after the PKIMessage`);
  }
  const parts = children(der, outer);
  if (parts.length < 2 || parts.length > 4) throw new MessageDecodeError("a PKIMessage has 2 to 4 fields");
  const [header, body] = parts as [Tlv, Tlv];
  let message: PKIMessage;
  let extraCerts: CertEntry[] = [];
  try {
    const raw = AsnParser.parse(der, PKIMessageRawExtraCerts, PARSE_LIMITS);
    message = new PKIMessage({ header: raw.header, body: raw.body, protection: raw.protection });
    const extraTlv = parts.slice(2).find((p) => p.tag === 0xa1);
    if (extraTlv) {
      const seq = readTlv(der, extraTlv.contentStart, extraTlv.end);
      if (seq.tag !== 0x30 || seq.end !== extraTlv.end)
        throw new MessageDecodeError("extraCerts is not a SEQUENCE");
      extraCerts = children(der, seq).map((t) => certEntry(der.slice(t.start, t.end)));
      if (extraCerts.length === 0) throw new MessageDecodeError("extraCerts is empty");
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
  if (!body.nested) throw new MessageDecodeError("not a nested message");
  const raw = new Uint8Array(body.nested);
  const seq = readTlv(raw, 0);
  if (seq.tag !== 0x30 || seq.end !== raw.length)
    throw new MessageDecodeError("nested content is not a SEQUENCE");
  const items = children(raw, seq);
  if (items.length === 0) throw new MessageDecodeError("nested content holds no message");
  return items.map((t) => decodePKIMessage(raw.slice(t.start, t.end)));
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
