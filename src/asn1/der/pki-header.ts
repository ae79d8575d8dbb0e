// PKIHeader (RFC 9810 §5.1.1) read with the DER reader: integers, octet strings and the time are
// decoded directly; names, the algorithm, free text and generalInfo through the schema parser.
import { AsnParser } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, GeneralName } from "@peculiar/asn1-x509";
import { InfoTypeAndValue, InfoTypeAndValues, PKIFreeText, PKIHeader } from "../cmp-header.js";
import { algorithmIdentifier, Declined, directOr } from "./direct.js";
import { oidText } from "./oid.js";
import { isWellFormed, noteWellFormed } from "./received.js";
import { noteReceivedName, OCTET_FIELDS } from "./pki-header-writer.js";
import { DerReader, DerSyntaxError, smallInteger, type DerElement } from "./reader.js";

type ParseOptions = Parameters<typeof AsnParser.parse>[2];

/** PKIHeader from its DER; the same object the schema parser makes, or a DerSyntaxError. */
export function readPKIHeader(element: DerElement, options?: ParseOptions): PKIHeader {
  const r = DerReader.of(DerReader.ofElement(element).expect(0x30, "PKIHeader"));
  const h = new PKIHeader();
  h.pvno = smallInteger(r.expect(0x02, "pvno").content, "pvno");
  h.sender = generalName(contextTagged(r.read(), "sender"), options);
  h.recipient = generalName(contextTagged(r.read(), "recipient"), options);
  let last = -1;
  while (!r.empty) {
    const field = r.read();
    // The PKIXCMP module has EXPLICIT TAGS: each optional field is a constructed [n] around it.
    const n = field.tag - 0xa0;
    if (n < 0 || n > 8 || n <= last)
      throw new DerSyntaxError(`PKIHeader: unexpected field with tag 0x${field.tag.toString(16)}`);
    last = n;
    const inner = DerReader.of(field);
    const value = inner.read();
    inner.finish("a PKIHeader field");
    if (n === 0) h.messageTime = generalizedTime(value);
    else if (n === 1) h.protectionAlg = protectionAlg(value, options);
    else if (n <= 6) h[OCTET_FIELDS[n - 2]!] = octetString(value);
    else if (n === 7) h.freeText = AsnParser.parse(sequence(value), PKIFreeText, options);
    else h.generalInfo = generalInfo(value, options);
  }
  return h;
}

/** An algorithm without parameters or with NULL or an OID is read directly (MAC parameters by the schema). */
function protectionAlg(e: DerElement, options?: ParseOptions): AlgorithmIdentifier {
  const der = sequence(e);
  return directOr(
    () => noteWellFormed(algorithmIdentifier(e)),
    () => AsnParser.parse(der, AlgorithmIdentifier, options),
  );
}

/**
 * generalInfo: InfoTypeAndValues whose value is absent or NULL (implicitConfirm) are read directly, any
 * other through the schema parser, which checks the encoding of the ANY value.
 */
function generalInfo(e: DerElement, options?: ParseOptions): InfoTypeAndValues {
  sequence(e);
  const items = DerReader.of(e)
    .all()
    .map((itav) =>
      directOr(
        () => flagItav(itav),
        () => AsnParser.parse(itav.bytes, InfoTypeAndValue, options),
      ),
    );
  const all = new InfoTypeAndValues(items);
  return items.every(isWellFormed) ? noteWellFormed(all) : all;
}

function flagItav(itav: DerElement): InfoTypeAndValue {
  if (itav.tag !== 0x30) throw new Declined("InfoTypeAndValue: not a SEQUENCE");
  const r = DerReader.of(itav);
  const item = new InfoTypeAndValue({ infoType: oidText(r.expect(0x06, "infoType").content) });
  if (!r.empty) {
    const v = r.read();
    if (v.tag !== 0x05 || v.content.length !== 0) throw new Declined("InfoTypeAndValue: a value");
    // ANY: the schema parser gives NULL as null.
    item.infoValue = null as unknown as ArrayBuffer;
  }
  if (!r.empty) throw new Declined("InfoTypeAndValue: more fields");
  return noteWellFormed(item);
}

/**
 * GeneralNames by their received DER: a device and its CA name themselves the same way in every message,
 * so each is parsed once. The objects are shared and never changed. Bounded (least recently used out).
 */
const names = new Map<string, GeneralName>();
const MAX_NAMES = 1024;
/** Only names of ordinary size are kept (parsing happens before authentication): at most 1024 × 1 KiB. */
const MAX_KEPT_NAME_BYTES = 1024;

function generalName(der: Uint8Array, options?: ParseOptions): GeneralName {
  const key = Buffer.from(der).toString("latin1");
  let name = names.get(key);
  if (name) {
    names.delete(key);
  } else {
    name = AsnParser.parse(der, GeneralName, options);
    // An answer names the request's sender as its recipient: written as the bytes received.
    noteReceivedName(name, der);
    if (der.length > MAX_KEPT_NAME_BYTES) return name;
    if (names.size >= MAX_NAMES) names.delete(names.keys().next().value!);
  }
  names.set(key, name);
  return name;
}

// The schema parser, given an element on its own, matches its tag by number only: check the class here.
function sequence(e: DerElement): Uint8Array {
  return DerReader.ofElement(e).expect(0x30, "PKIHeader field").bytes;
}

/** GeneralName is a CHOICE of context-specific tags [0]..[8] (RFC 5280 §4.2.1.6). */
export function contextTagged(e: DerElement, what: string): Uint8Array {
  if ((e.tag & 0xc0) !== 0x80)
    throw new DerSyntaxError(`${what}: expected a context-specific tag, found tag 0x${e.tag.toString(16)}`);
  return e.bytes;
}

function octetString(e: DerElement): ArrayBuffer {
  if (e.tag === 0x24) throw new DerSyntaxError("a constructed OCTET STRING is not DER");
  if (e.tag !== 0x04) throw new DerSyntaxError("PKIHeader: expected an OCTET STRING");
  return e.content.slice().buffer;
}

/** DER GeneralizedTime (X.690 §11.7): YYYYMMDDHHMMSS, optional fraction without trailing zeros, Z. */
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{0,2}[1-9]))?Z$/;

function generalizedTime(e: DerElement): Date {
  if (e.tag !== 0x18) throw new DerSyntaxError("messageTime: expected a GeneralizedTime");
  const m = GENERALIZED.exec(
    Buffer.from(e.content.buffer, e.content.byteOffset, e.content.length).toString("latin1"),
  );
  if (!m) throw new DerSyntaxError("messageTime: the GeneralizedTime is not DER");
  const [y, mo, d, hh, mm, ss] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  const t = new Date(Date.UTC(y, mo - 1, d, hh, mm, ss, ms));
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || hh > 23 || mm > 59 || ss > 59)
    throw new DerSyntaxError("messageTime: a GeneralizedTime that names no valid time is not DER");
  return t;
}
