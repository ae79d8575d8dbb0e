// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)(c), §6.1.4 (g)): permitted and excluded subtrees
// collected along the path and applied to subject DNs and subjectAltNames; one matcher per name form.
import { AsnSerializer } from "@peculiar/asn1-schema";
import type { GeneralName, GeneralSubtree, Name } from "@peculiar/asn1-x509";
import { readTlv } from "../der.js";
import { getNameConstraints, getSubjectAltNames } from "../extensions.js";
import { emailAddresses, generalNameToString, nameHasPrefix } from "../names.js";
import { subjectOf } from "./certificate.js";
import { PathValidationError, type CertEntry } from "./types.js";

/** A name of one form in comparable shape: a string, raw bytes, or a DN. */
type NameValue = string | Uint8Array | Name;

interface NameForm {
  /** The name of `gn` in this form, undefined when `gn` is of another form. */
  read(gn: GeneralName): NameValue | undefined;
  /** Whether `name` lies within the subtree `base` (both read by `read`); undefined: `base` is unusable. */
  within(name: NameValue, base: NameValue): boolean | undefined;
}

const isName = (v: NameValue): v is Name => typeof v === "object" && !(v instanceof Uint8Array);
const lower = (v: NameValue): string => (typeof v === "string" ? v.toLowerCase() : "");

/** Host `name` equals `base` or is a subdomain of it; `.base` admits subdomains only (§4.2.1.10). */
function hostWithin(name: string, base: string): boolean {
  if (base === "") return true;
  if (base.startsWith(".")) return name.endsWith(base);
  return name === base || name.endsWith(`.${base}`);
}

function rawOctets(gn: GeneralName): Uint8Array {
  const der = new Uint8Array(AsnSerializer.serialize(gn));
  const t = readTlv(der, 0);
  return der.subarray(t.contentStart, t.end);
}

function uriHost(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  return m?.[1] ? m[1].toLowerCase() : undefined;
}

/** Name forms lwcmp can match, keyed by GeneralName choice (otherName forms as "otherName:<type-id>"). */
export const NAME_FORMS: Record<string, NameForm> = {
  directoryName: {
    read: (gn) => gn.directoryName,
    within: (n, b) => (isName(n) && isName(b) ? nameHasPrefix(n, b) : undefined),
  },
  dNSName: {
    read: (gn) => gn.dNSName,
    within: (n, b) => hostWithin(lower(n).replace(/\.$/, ""), lower(b).replace(/\.$/, "")),
  },
  rfc822Name: {
    read: (gn) => gn.rfc822Name,
    within: (n, b) => {
      const name = String(n);
      const base = String(b);
      const at = name.lastIndexOf("@");
      if (at < 0) return false;
      if (base.includes("@")) {
        const bAt = base.lastIndexOf("@");
        return (
          name.slice(0, at) === base.slice(0, bAt) &&
          name.slice(at + 1).toLowerCase() === base.slice(bAt + 1).toLowerCase()
        );
      }
      const host = name.slice(at + 1).toLowerCase();
      const bHost = base.toLowerCase();
      return bHost.startsWith(".") ? host.endsWith(bHost) : host === bHost;
    },
  },
  uniformResourceIdentifier: {
    read: (gn) => gn.uniformResourceIdentifier,
    within: (n, b) => {
      const host = uriHost(String(n));
      if (host === undefined) return false;
      const base = lower(b);
      return base.startsWith(".") ? host.endsWith(base) : host === base;
    },
  },
  iPAddress: {
    read: (gn) => (gn.iPAddress !== undefined ? rawOctets(gn) : undefined),
    within: (n, b) => {
      if (!(n instanceof Uint8Array) || !(b instanceof Uint8Array)) return undefined;
      if (b.length !== 8 && b.length !== 32) return undefined;
      const len = b.length / 2;
      if (n.length !== len) return false; // IPv4 names never match IPv6 subtrees and vice versa
      for (let i = 0; i < len; i++) if ((n[i]! & b[len + i]!) !== (b[i]! & b[len + i]!)) return false;
      return true;
    },
  },
};

/** The table key of a GeneralName's form. */
export function formOf(gn: GeneralName): string {
  if (gn.otherName) return `otherName:${gn.otherName.typeId}`;
  for (const k of [
    "directoryName",
    "dNSName",
    "rfc822Name",
    "uniformResourceIdentifier",
    "iPAddress",
  ] as const) {
    if (gn[k] !== undefined) return k;
  }
  if (gn.registeredID !== undefined) return "registeredID";
  if (gn.x400Address !== undefined) return "x400Address";
  return "ediPartyName";
}

interface Subtree {
  form: string;
  base: NameValue | undefined;
  from: string;
}

/** permitted_subtrees (one group per constraining certificate: a name must fit every group of its form) and excluded_subtrees. */
export class NameConstraintsState {
  private readonly permitted: Subtree[][] = [];
  private readonly excluded: Subtree[] = [];

  /** §6.1.4 (g): adds the nameConstraints of a CA certificate. */
  add(ca: CertEntry): void {
    const nc = getNameConstraints(ca.cert);
    if (!nc) return;
    const from = subjectOf(ca);
    const subtrees = (list: readonly GeneralSubtree[] | undefined): Subtree[] =>
      (list ?? []).map((s) => {
        // §4.2.1.10: minimum MUST be zero and maximum absent; other values cannot be honoured.
        const usable = s.minimum === 0 && s.maximum === undefined;
        const form = formOf(s.base);
        return { form, base: usable ? NAME_FORMS[form]?.read(s.base) : undefined, from };
      });
    if (nc.permittedSubtrees?.length) this.permitted.push(subtrees(nc.permittedSubtrees));
    this.excluded.push(...subtrees(nc.excludedSubtrees));
  }

  /** §6.1.3 (b)(c) for one name of the given form. */
  private checkName(e: CertEntry, form: string, value: NameValue | undefined, shown: string): void {
    const matcher = NAME_FORMS[form];
    const test = (s: Subtree): boolean => {
      const r =
        matcher && value !== undefined && s.base !== undefined ? matcher.within(value, s.base) : undefined;
      if (r === undefined) {
        // a constraint on a name form lwcmp cannot match: fail closed (§4.2.1.10, critical extension)
        throw new PathValidationError(
          "nameConstraints",
          `certificate "${subjectOf(e)}": cannot process the ${form} constraint of "${s.from}" for ${shown}`,
        );
      }
      return r;
    };
    for (const group of this.permitted) {
      const ofForm = group.filter((s) => s.form === form);
      if (ofForm.length && !ofForm.some(test)) {
        throw new PathValidationError(
          "nameConstraints",
          `certificate "${subjectOf(e)}": ${shown} is outside the permitted subtrees of "${ofForm[0]!.from}"`,
        );
      }
    }
    const hit = this.excluded.find((s) => s.form === form && test(s));
    if (hit) {
      throw new PathValidationError(
        "nameConstraints",
        `certificate "${subjectOf(e)}": ${shown} is within an excluded subtree of "${hit.from}"`,
      );
    }
  }

  /** Applies the constraints to the subject DN (unless skipped, self-issued CAs) and every subjectAltName. */
  check(e: CertEntry, includeSubject: boolean): void {
    if (this.permitted.length === 0 && this.excluded.length === 0) return;
    const subject = e.cert.tbsCertificate.subject;
    if (includeSubject && subject.length > 0) {
      this.checkName(e, "directoryName", subject, `subject "${subjectOf(e)}"`);
      for (const mail of emailAddresses(subject)) {
        this.checkName(e, "rfc822Name", mail, `subject emailAddress "${mail}"`);
      }
    }
    for (const gn of getSubjectAltNames(e.cert)) {
      const form = formOf(gn);
      this.checkName(e, form, NAME_FORMS[form]?.read(gn), generalNameToString(gn));
    }
  }
}
