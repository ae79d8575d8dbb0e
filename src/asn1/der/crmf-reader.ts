// CertReqMessages (RFC 4211 §3, the content of ir / cr / kur / ccr) read with the DER reader into the schema
// classes: the request, its template (subject, issuer, public key, extensions), controls and a signature
// or raVerified POP are built directly. A CertReqMsg of any other shape goes to the schema parser whole.
import { AsnParser, BitString, OctetString } from "@peculiar/asn1-schema";
import {
  AttributeTypeAndValue as NameAttribute,
  AttributeValue,
  Extension,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import {
  AttributeTypeAndValue,
  CertReqMessages,
  CertReqMsg,
  CertRequest,
  CertTemplate,
  POPOSigningKey,
  ProofOfPossession,
} from "../crmf.js";
import { algorithmIdentifier, Declined, directOr } from "./direct.js";
import { oidText } from "./oid.js";
import { DerReader, DerSyntaxError, smallInteger, type DerElement } from "./reader.js";
import { noteReceived } from "./received.js";

type ParseOptions = Parameters<typeof AsnParser.parse>[2];

/** CertReqMessages from its SEQUENCE element; the same objects the schema parser makes. */
export function readCertReqMessages(seq: DerElement, options?: ParseOptions): CertReqMessages {
  if (seq.tag !== 0x30) throw new DerSyntaxError("CertReqMessages: expected a SEQUENCE");
  return new CertReqMessages(
    DerReader.of(seq)
      .all()
      .map((m) => readCertReqMsg(m, options)),
  );
}

/** Declined, not DER, or a part the schema parser refused on its own: the whole CertReqMsg goes to it. */
function readCertReqMsg(m: DerElement, options?: ParseOptions): CertReqMsg {
  return directOr(
    () => readCertReqMsgDirect(m),
    () => AsnParser.parse(m.bytes, CertReqMsg, options),
  );
}

/**
 * One CertReqMsg by the direct reader alone: throws a DerSyntaxError, or a `Declined` error for a shape
 * it leaves to the schema parser (exported for the differential test).
 */
export function readCertReqMsgDirect(m: DerElement): CertReqMsg {
  if (m.tag !== 0x30) throw new Declined("CertReqMsg: not a SEQUENCE");
  const r = DerReader.of(m);
  const msg = new CertReqMsg({ certReq: certRequest(r.expect(0x30, "CertRequest")) });
  const popo = r.empty ? undefined : r.read();
  if (popo?.tag === 0x80 && popo.content.length === 0) msg.popo = new ProofOfPossession({ raVerified: null });
  else if (popo?.tag === 0xa1) msg.popo = new ProofOfPossession({ signature: signingKey(popo) });
  else if (popo) throw new Declined();
  if (!r.empty) throw new Declined();
  return msg;
}

function certRequest(e: DerElement): CertRequest {
  const r = DerReader.of(e);
  const req = new CertRequest({
    certReqId: smallInteger(r.expect(0x02, "certReqId").content, "certReqId"),
    certTemplate: certTemplate(r.expect(0x30, "CertTemplate")),
  });
  const controls = r.optional(0x30);
  // Control values are ANY, whose encoding the schema parser checks: each control goes to it.
  if (controls)
    req.controls = DerReader.of(controls)
      .all()
      .map((c) => AsnParser.parse(c.bytes, AttributeTypeAndValue));
  if (!r.empty) throw new Declined();
  // Read strictly at every level (controls aside, which the schema parser took): the POP check may use
  // these bytes as received (src/asn1/der/crmf-received.ts notes the others).
  if (!controls) noteReceived(req, e.bytes, true);
  return req;
}

/** CertTemplate fields in tag order (RFC 4211 §5); the rarely sent ones are left to the schema parser. */
function certTemplate(e: DerElement): CertTemplate {
  const t = new CertTemplate();
  let last = -1;
  for (const f of DerReader.of(e).all()) {
    const n = f.tag & 0x1f;
    if (n <= last) throw new Declined();
    last = n;
    if (f.tag === 0xa3) t.issuer = name(explicitOne(f));
    else if (f.tag === 0xa5) t.subject = name(explicitOne(f));
    else if (f.tag === 0xa6) t.publicKey = publicKey(f);
    else if (f.tag === 0xa9) t.extensions = DerReader.of(f).all().map(extension);
    else throw new Declined();
  }
  return t;
}

function explicitOne(e: DerElement): DerElement {
  const r = DerReader.of(e);
  const inner = r.read();
  if (!r.empty) throw new Declined();
  return inner;
}

/** SubjectPublicKeyInfo under [6] IMPLICIT (its contents as those of the SEQUENCE). */
function publicKey(e: DerElement): SubjectPublicKeyInfo {
  const r = DerReader.of(e);
  const algorithm = algorithmIdentifier(r.expect(0x30, "AlgorithmIdentifier"));
  const bits = r.expect(0x03, "subjectPublicKey").content;
  // The schema keeps the octets only: a key with unused bits is left to it.
  if (bits[0] !== 0 || !r.empty) throw new Declined();
  const spki = new SubjectPublicKeyInfo({ algorithm, subjectPublicKey: bits.slice(1).buffer });
  // The key as a SubjectPublicKeyInfo: its [6] IMPLICIT tag turned back into SEQUENCE.
  const der = e.bytes.slice();
  der[0] = 0x30;
  noteReceived(spki, der, true);
  return spki;
}

function extension(e: DerElement): Extension {
  if (e.tag !== 0x30) throw new Declined();
  const r = DerReader.of(e);
  const ext = new Extension({ extnID: oidText(r.expect(0x06, "extnID").content) });
  const critical = r.optional(0x01);
  if (critical) {
    // DER: TRUE is 0xFF and the DEFAULT FALSE is left out (X.690 §11.1, §11.5).
    if (critical.content.length !== 1 || critical.content[0] !== 0xff) throw new Declined();
    ext.critical = true;
  }
  ext.extnValue = new OctetString(r.expect(0x04, "extnValue").content.slice());
  if (!r.empty) throw new Declined();
  return ext;
}

/** POPOSigningKey under [1] IMPLICIT, without poposkInput (RFC 4211 §4.1: absent when a subject is given). */
function signingKey(e: DerElement): POPOSigningKey {
  const r = DerReader.of(e);
  if (r.peekTag() === 0xa0) throw new Declined("poposkInput");
  const algorithm = algorithmIdentifier(r.expect(0x30, "AlgorithmIdentifier"));
  const bits = r.expect(0x03, "signature").content;
  if (bits.length === 0 || bits[0] !== 0 || !r.empty) throw new Declined();
  return new POPOSigningKey({ algorithmIdentifier: algorithm, signature: new BitString(bits.slice(1), 0) });
}

/** String types whose ASCII contents every decoder reads the same way. */
const ASCII_STRINGS = { 0x0c: "utf8String", 0x13: "printableString", 0x16: "ia5String" } as const;

/** Name (RFC 5280 §4.1.2.4): single-valued RDNs of ASCII UTF8String, PrintableString or IA5String. */
function name(e: DerElement): Name {
  if (e.tag !== 0x30) throw new Declined();
  const n = new Name(
    DerReader.of(e)
      .all()
      .map((rdn) => {
        const r = DerReader.of(rdn);
        if (rdn.tag !== 0x31) throw new Declined();
        const atv = r.expect(0x30, "AttributeTypeAndValue");
        if (!r.empty) throw new Declined();
        return new RelativeDistinguishedName([nameAttribute(atv)]);
      }),
  );
  // Read strictly at every level, so these bytes are what the schema serialiser writes for it.
  noteReceived(n, e.bytes.slice(), true);
  return n;
}

function nameAttribute(e: DerElement): NameAttribute {
  const r = DerReader.of(e);
  const type = oidText(r.expect(0x06, "type").content);
  const v = r.read();
  const kind = ASCII_STRINGS[v.tag as keyof typeof ASCII_STRINGS];
  if (!kind || !r.empty || v.content.some((b) => b > 0x7f)) throw new Declined();
  const value = new AttributeValue({ [kind]: Buffer.from(v.content).toString("latin1") });
  return new NameAttribute({ type, value });
}

export { Declined } from "./direct.js";
