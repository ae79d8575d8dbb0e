// PKIHeader (RFC 9810 §5.1.1) written with the DER writer: the schema serialiser's bytes, with names
// taken as received (a recipient is the request's sender) or kept once written (the server's own name).
import { AsnSerializer } from "@peculiar/asn1-schema";
import type { GeneralName } from "@peculiar/asn1-x509";
import type { InfoTypeAndValues, PKIHeader } from "../cmp-header.js";
import { algorithmDer } from "./algorithm.js";
import { oidDer } from "./oid.js";
import { isStrictDerTree, readWhole } from "./reader.js";
import { DerWriter } from "./writer.js";

/** GeneralNames read from a message, with the DER they were read from (src/asn1/der/pki-header.ts). */
const received = new WeakMap<GeneralName, Uint8Array>();
/** GeneralNames written before: the same object names the same server in every answer. */
const written = new WeakMap<GeneralName, Uint8Array>();

/**
 * Notes the DER a GeneralName was parsed from; writing it again gives those bytes. Only strict DER is
 * kept (what the schema serialiser would write back); anything else is written afresh.
 */
export function noteReceivedName(name: GeneralName, der: Uint8Array): void {
  if (isStrictDerTree(der)) received.set(name, der.slice());
}

function generalNameDer(name: GeneralName): Uint8Array {
  let der = received.get(name) ?? written.get(name);
  if (!der) written.set(name, (der = new Uint8Array(AsnSerializer.serialize(name))));
  return der;
}

const two = (n: number) => String(n).padStart(2, "0");

/** GeneralizedTime as the schema serialiser writes it: a fraction of a second only when not zero, trimmed. */
function generalizedTime(d: Date): Uint8Array {
  const ms = d.getUTCMilliseconds();
  const fraction = ms ? `.${String(ms).padStart(3, "0").replace(/0+$/, "")}` : "";
  const text =
    `${String(d.getUTCFullYear()).padStart(4, "0")}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}` +
    `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${fraction}Z`;
  return new TextEncoder().encode(text);
}

/** The OCTET STRING fields of PKIHeader, tags [2]..[6]. */
export const OCTET_FIELDS = ["senderKID", "recipKID", "transactionID", "senderNonce", "recipNonce"] as const;

const NULL_DER = Uint8Array.of(0x05, 0x00);

/** An ANY value the writer can copy: one element, strict DER throughout (what the serialiser would write). */
function copyable(value: ArrayBuffer | null | undefined): boolean {
  if (value === undefined || value === null) return true;
  const der = new Uint8Array(value);
  try {
    readWhole(der, "infoValue");
  } catch {
    return false;
  }
  return isStrictDerTree(der);
}

/** generalInfo: SEQUENCE OF InfoTypeAndValue { infoType OID, infoValue ANY OPTIONAL } (RFC 9810 §5.1.1). */
function generalInfoDer(info: InfoTypeAndValues): Uint8Array {
  if (!info.every((i) => copyable(i.infoValue))) return new Uint8Array(AsnSerializer.serialize(info));
  return new DerWriter(256)
    .sequence((all) => {
      for (const i of info) {
        all.sequence((x) => {
          x.raw(oidDer(i.infoType));
          // ANY: the schema gives a received NULL as null.
          if (i.infoValue === null) x.raw(NULL_DER);
          else if (i.infoValue) x.raw(new Uint8Array(i.infoValue));
        });
      }
    })
    .finish();
}

/** DER PKIHeader (EXPLICIT tags [0]..[8], as PKIXCMP-2023). */
export function writePKIHeader(h: PKIHeader): Uint8Array {
  return new DerWriter(512)
    .sequence((t) => {
      t.smallInteger(h.pvno);
      t.raw(generalNameDer(h.sender));
      t.raw(generalNameDer(h.recipient));
      if (h.messageTime) t.constructed(0xa0, (x) => x.primitive(0x18, generalizedTime(h.messageTime!)));
      if (h.protectionAlg) t.constructed(0xa1, (x) => x.raw(algorithmDer(h.protectionAlg!)));
      OCTET_FIELDS.forEach((f, i) => {
        const v = h[f];
        if (v) t.constructed(0xa2 + i, (x) => x.primitive(0x04, new Uint8Array(v)));
      });
      if (h.freeText) t.constructed(0xa7, (x) => x.raw(new Uint8Array(AsnSerializer.serialize(h.freeText))));
      if (h.generalInfo) t.constructed(0xa8, (x) => x.raw(generalInfoDer(h.generalInfo!)));
    })
    .finish();
}
