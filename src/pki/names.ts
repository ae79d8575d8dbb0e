// Distinguished names: parsing the two text forms users type (RFC 4514 and OpenSSL's "/CN=x/O=y"),
// printing RFC 4514 strings, comparing names, and GeneralName helpers.
import { AsnSerializer } from "@peculiar/asn1-schema";
import {
  AttributeTypeAndValue,
  AttributeValue,
  GeneralName,
  Name,
  RelativeDistinguishedName,
} from "@peculiar/asn1-x509";

const ATTRS: ReadonlyArray<[string, string]> = [
  ["CN", "2.5.4.3"],
  ["SN", "2.5.4.4"],
  ["serialNumber", "2.5.4.5"],
  ["C", "2.5.4.6"],
  ["L", "2.5.4.7"],
  ["ST", "2.5.4.8"],
  ["street", "2.5.4.9"],
  ["O", "2.5.4.10"],
  ["OU", "2.5.4.11"],
  ["title", "2.5.4.12"],
  ["GN", "2.5.4.42"],
  ["initials", "2.5.4.43"],
  ["generationQualifier", "2.5.4.44"],
  ["dnQualifier", "2.5.4.46"],
  ["pseudonym", "2.5.4.65"],
  ["organizationIdentifier", "2.5.4.97"],
  ["DC", "0.9.2342.19200300.100.1.25"],
  ["UID", "0.9.2342.19200300.100.1.1"],
  ["emailAddress", "1.2.840.113549.1.9.1"],
];
const BY_NAME = new Map(ATTRS.map(([n, o]) => [n.toLowerCase(), o]));
const BY_OID = new Map(ATTRS.map(([n, o]) => [o, n]));
BY_NAME.set("s", "2.5.4.8");
BY_NAME.set("email", "1.2.840.113549.1.9.1");
BY_NAME.set("e", "1.2.840.113549.1.9.1");

export class NameSyntaxError extends Error {
  override readonly name = "NameSyntaxError";
}

/**
 * Parses "CN=Device 1, O=Example" (RFC 4514, most significant RDN last) or "/O=Example/CN=Device 1"
 * (OpenSSL order: most significant first). "+" joins attributes of a multi-valued RDN.
 */
export function parseName(text: string): Name {
  const s = text.trim();
  if (s === "" || s === "/") return new Name([]);
  const slashForm = s.startsWith("/");
  const rdnTexts = slashForm ? splitUnescaped(s.slice(1), "/") : splitUnescaped(s, ",").reverse();
  const rdns = rdnTexts
    .filter((r) => r.trim() !== "")
    .map((rdn) => new RelativeDistinguishedName(splitUnescaped(rdn, "+").map((atv) => parseAtv(atv))));
  return new Name(rdns);
}

function parseAtv(text: string): AttributeTypeAndValue {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new NameSyntaxError(`"${text.trim()}" is not of the form TYPE=value`);
  const typeText = text.slice(0, eq).trim();
  const value = unescape(text.slice(eq + 1).trim());
  const oid = /^\d+(\.\d+)+$/.test(typeText) ? typeText : BY_NAME.get(typeText.toLowerCase());
  if (!oid) throw new NameSyntaxError(`unknown attribute type "${typeText}" in a distinguished name`);
  return new AttributeTypeAndValue({ type: oid, value: attributeValue(oid, value) });
}

// X.520 / RFC 5280 §4.1.2.4: countryName, serialNumber and dnQualifier are PrintableString, email and DC IA5String.
function attributeValue(oid: string, value: string): AttributeValue {
  if (oid === "2.5.4.6" || oid === "2.5.4.5" || oid === "2.5.4.46") {
    return new AttributeValue({ printableString: value });
  }
  if (oid === "1.2.840.113549.1.9.1" || oid === "0.9.2342.19200300.100.1.25") {
    return new AttributeValue({ ia5String: value });
  }
  return new AttributeValue({ utf8String: value });
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\([0-9a-fA-F]{2}|.)/g, (_, x: string) =>
    x.length === 2 ? String.fromCharCode(parseInt(x, 16)) : x,
  );
}

function escapeValue(v: string): string {
  let out = v.replace(/([,+"\\<>;=])/g, "\\$1");
  if (out.startsWith(" ") || out.startsWith("#")) out = `\\${out}`;
  if (out.endsWith(" ")) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function valueText(v: AttributeValue): string {
  if (v.anyValue) return `#${Buffer.from(v.anyValue).toString("hex")}`;
  return v.toString();
}

/** RFC 4514 string (most significant RDN last): "CN=Device 1,O=Example". */
export function nameToString(name: Name): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      [...rdn]
        .map((atv) => `${BY_OID.get(atv.type) ?? atv.type}=${escapeValue(valueText(atv.value))}`)
        .join("+"),
    )
    .join(",");
}

/** Exact comparison on DER (RFC 5280 §7.1 permits binary comparison as the strict form). */
export function namesEqual(a: Name, b: Name): boolean {
  return nameDer(a).equals(nameDer(b));
}

const nameCache = new WeakMap<Name, Buffer>();
function nameDer(n: Name): Buffer {
  let d = nameCache.get(n);
  if (!d) {
    d = receivedNameDer(n);
    nameCache.set(n, d);
  }
  return d;
}

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len: number[] = [];
  if (n < 0x80) len.push(n);
  else {
    for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v & 0xff);
    len.unshift(0x80 | len.length);
  }
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

/**
 * DER of a Name. A received attribute value the schema does not know (kept as raw bytes) is written
 * back as received, since re-parsing it can fail (e.g. a UTCTime holding text); so comparing received
 * names never throws.
 */
export function receivedNameDer(n: Name): Buffer {
  try {
    return Buffer.from(AsnSerializer.serialize(n));
  } catch {
    const rdns = [...n].map((rdn) => {
      const atvs = [...rdn].map((atv) => {
        const type = Buffer.from(
          AsnSerializer.serialize(
            new AttributeTypeAndValue({ type: atv.type, value: new AttributeValue({ utf8String: "" }) }),
          ),
        );
        const oid = type.subarray(2, 2 + 2 + type[3]!); // SEQUENCE { OID, ... }: the OID element
        const value = atv.value.anyValue
          ? Buffer.from(atv.value.anyValue)
          : Buffer.from(AsnSerializer.serialize(atv.value));
        return tlv(0x30, Buffer.concat([oid, value]));
      });
      // X.690 §11.6: SET OF elements in ascending order of their encodings.
      return tlv(0x31, Buffer.concat(atvs.sort(Buffer.compare)));
    });
    return tlv(0x30, Buffer.concat(rdns));
  }
}

/** Whether a Name can be re-encoded by the schema (a name from a peer may carry values that cannot). */
export function isEncodableName(n: Name): boolean {
  try {
    AsnSerializer.serialize(n);
    return true;
  } catch {
    return false;
  }
}

export function isEmptyName(name: Name): boolean {
  return name.length === 0;
}

export function directoryName(name: Name | string): GeneralName {
  return new GeneralName({ directoryName: typeof name === "string" ? parseName(name) : name });
}

/** The NULL-DN GeneralName used when a sender has no name (RFC 9483 §3.1). */
export function nullDn(): GeneralName {
  return new GeneralName({ directoryName: new Name([]) });
}

/** Human-readable form of a GeneralName. */
export function generalNameToString(gn: GeneralName): string {
  if (gn.directoryName) return gn.directoryName.length ? nameToString(gn.directoryName) : "NULL-DN";
  if (gn.dNSName !== undefined) return `DNS:${gn.dNSName}`;
  if (gn.rfc822Name !== undefined) return `email:${gn.rfc822Name}`;
  if (gn.uniformResourceIdentifier !== undefined) return `URI:${gn.uniformResourceIdentifier}`;
  if (gn.iPAddress !== undefined) return `IP:${gn.iPAddress}`;
  if (gn.registeredID !== undefined) return `RID:${gn.registeredID}`;
  if (gn.otherName) return `othername:${gn.otherName.typeId}`;
  return "(unsupported GeneralName)";
}

// RFC 5280 §7.1 / RFC 4518 (simplified): string attribute values compare after case folding and
// whitespace compression; values of other types compare on their DER.
function matchValue(v: AttributeValue): string {
  if (v.anyValue) return `#${Buffer.from(v.anyValue).toString("hex")}`;
  return `"${v.toString().normalize("NFKC").toLowerCase().trim().replace(/\s+/g, " ")}`;
}

function rdnKey(rdn: RelativeDistinguishedName): string {
  return [...rdn]
    .map((atv) => `${atv.type}=${matchValue(atv.value)}`)
    .sort()
    .join("+");
}

/** RDN by RDN comparison of two names with the §7.1 string matching rules. */
export function rdnsMatch(a: RelativeDistinguishedName, b: RelativeDistinguishedName): boolean {
  return a.length === b.length && rdnKey(a) === rdnKey(b);
}

/** RFC 5280 §7.1 name matching (used for name chaining, §6.1.3 (a)(4)). */
export function namesMatch(a: Name, b: Name): boolean {
  if (namesEqual(a, b)) return true;
  return a.length === b.length && [...a].every((rdn, i) => rdnsMatch(rdn, b[i]!));
}

/** True when `prefix` is an initial sequence of RDNs of `name` (directoryName subtrees, §4.2.1.10). */
export function nameHasPrefix(name: Name, prefix: Name): boolean {
  return prefix.length <= name.length && [...prefix].every((rdn, i) => rdnsMatch(rdn, name[i]!));
}

/** The emailAddress attribute values of a DN (treated as rfc822Name under name constraints, §4.2.1.10). */
export function emailAddresses(name: Name): string[] {
  return [...name].flatMap((rdn) =>
    [...rdn].filter((atv) => atv.type === "1.2.840.113549.1.9.1").map((atv) => atv.value.toString()),
  );
}
