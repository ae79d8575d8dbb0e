// Values of command-line flags, each validated where it is parsed: numbers, durations, server URLs,
// CRLReason codes, typed subjectAltNames, key types. A bad value stops the command with a usage error.
import { isIP } from "node:net";
import { InvalidArgumentError } from "commander";
import { GeneralName } from "@peculiar/asn1-x509";
import { parseDuration } from "../config/schema.js";
import { isKeyTypeSpec, KEY_TYPE_EXAMPLES } from "../config/keytypes.js";
import { CRL_REASON_HELP, crlReasonCode } from "../pki/crl.js";

export { CRL_REASONS } from "../pki/crl.js";
export const REASON_HELP = CRL_REASON_HELP;

/** A CRLReason by name (any case) or number (RFC 5280 §5.3.1). */
export function parseRevReason(v: string): number {
  const code = crlReasonCode(v);
  if (code === undefined)
    throw new InvalidArgumentError(`not a CRLReason; use a name or number: ${REASON_HELP}`);
  return code;
}

/** A whole number in [min, max]. */
export function integerIn(min: number, max: number, what: string): (v: string) => number {
  return (v) => {
    const t = v.trim();
    if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
      throw new InvalidArgumentError(`expected ${what}: a whole number from ${min} to ${max}`);
    }
    return Number(t);
  };
}

export const parsePort = integerIn(0, 65535, "a TCP port (0 = any free port)");

/** Seconds: a positive number (fractions allowed), or digits with ms, s, m, h or d ("90", "1.5", "2m"). */
export function parseSeconds(v: string): number {
  const t = v.trim();
  const seconds = /^\d+(\.\d+)?$/.test(t)
    ? Number(t)
    : /^\d+(ms|s|m|h|d)$/.test(t)
      ? parseDuration(t) / 1000
      : NaN;
  if (!(seconds > 0)) {
    throw new InvalidArgumentError("expected a positive number of seconds, e.g. 30, 2.5, 500ms or 5m");
  }
  return seconds;
}

/**
 * The CMP server as a URL. Besides http(s)://host[:port][/path], openssl's forms `host`, `host:port` and
 * `host:port/path` are taken, with http assumed.
 */
export function parseServer(v: string): string {
  const t = v.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `http://${t}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new InvalidArgumentError("expected http(s)://host[:port][/path], host:port or host");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new InvalidArgumentError(`unsupported scheme ${u.protocol} (use http or https)`);
  }
  if (!u.hostname) throw new InvalidArgumentError("the server URL names no host");
  return u.toString();
}

const DNS_NAME =
  /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * One subjectAltName the way openssl's -sans reads it: an IPv4 / IPv6 address, else a URI (it has a
 * colon), else an e-mail address (it has an @), else a DNS name.
 */
export function parseSan(v: string): GeneralName {
  const t = v.trim();
  if (isIP(t)) return new GeneralName({ iPAddress: t });
  if (t.includes(":")) {
    try {
      new URL(t);
    } catch {
      throw new InvalidArgumentError(`"${t}" is neither an IP address nor a URI`);
    }
    return new GeneralName({ uniformResourceIdentifier: t });
  }
  if (t.includes("@")) {
    if (!EMAIL.test(t)) throw new InvalidArgumentError(`"${t}" is not an e-mail address`);
    return new GeneralName({ rfc822Name: t });
  }
  if (t.length > 253 || !DNS_NAME.test(t)) throw new InvalidArgumentError(`"${t}" is not a DNS name`);
  return new GeneralName({ dNSName: t });
}

/** Comma-separated subjectAltNames, accumulated over repeated --san flags. */
export function parseSans(v: string, prev: GeneralName[] = []): GeneralName[] {
  const names = v.split(",").filter((s) => s.trim() !== "");
  if (names.length === 0) throw new InvalidArgumentError("expected at least one name");
  return [...prev, ...names.map(parseSan)];
}

/** A key type name lwcmp can generate. */
export function parseKeyType(v: string): string {
  if (!isKeyTypeSpec(v)) {
    throw new InvalidArgumentError(`unknown key type; use e.g. ${KEY_TYPE_EXAMPLES} (see --help)`);
  }
  return v;
}

/** Comma-separated file names, accumulated over repeated flags. */
export function fileList(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(",").filter(Boolean)];
}
