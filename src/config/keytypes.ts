// Key type names as the configuration and the CLI accept them: the algorithm registry's names, and the
// spellings key generation understands (rsa3072, p256, mldsa65-... without "composite:").
import { keyAlgorithm, keyAlgorithms } from "../crypto/index.js";

const RSA_SPEC = /^rsa(-pss)?(?:[-:]?(\d{4}))?$/;
const EC_SPEC = /^(?:ec[-:]?)?p-?(256|384|521)$|^(?:ec[-:])?(?:prime|secp)(256|384|521)(?:v1|r1)$/;

/** Whether `spec` names a key type lwcmp can generate (the forms generateKeyPair takes). */
export function isKeyTypeSpec(spec: string): boolean {
  const s = spec.trim().toLowerCase();
  if (keyAlgorithm(s)) return true;
  if (/^ml(dsa|kem)\d+-/.test(s)) return keyAlgorithm(`composite:${s}`) !== undefined;
  const rsa = RSA_SPEC.exec(s);
  if (rsa) {
    const a = keyAlgorithm(rsa[1] ? "rsa-pss" : "rsa");
    const bits = Number(rsa[2] ?? a?.minimumKeyBits ?? 2048);
    return bits >= (a?.minimumKeyBits ?? 2048) && bits <= (a?.maximumKeyBits ?? 8192);
  }
  return EC_SPEC.test(s);
}

/**
 * Why an entry of a profile's allowedKeyTypes can never match, or undefined when it can: it is compared
 * with the registry name of the requested key, or names a family by a trailing `*`.
 */
export function allowedKeyTypeProblem(entry: string): string | undefined {
  const names = keyAlgorithms().map((a) => a.type);
  if (entry.endsWith("*")) {
    const prefix = entry.slice(0, -1);
    return names.some((n) => n.startsWith(prefix))
      ? undefined
      : `"${entry}" matches no key type (see docs/configuration.md, Key type names)`;
  }
  if (names.includes(entry)) return undefined;
  const exact = keyAlgorithm(entry)?.type;
  if (exact) return `"${entry}" is spelled ${exact}`;
  return `unknown key type "${entry}": use a name such as ${KEY_TYPE_EXAMPLES} (see docs/configuration.md)`;
}

export const KEY_TYPE_EXAMPLES = "rsa, ec-p256, ec-p384, ed25519, ml-dsa-65, ml-kem-768";

/** The key type names for help texts: every native name, and the composite families in one line. */
export function keyTypeHelp(): string {
  const names = keyAlgorithms().map((a) => a.type);
  const native = names.filter((n) => !n.startsWith("composite:"));
  const composite = names.filter((n) => n.startsWith("composite:")).map((n) => n.slice(10));
  return [
    `  ${native.join(", ")}`,
    "  (rsa and rsa-pss take a size: rsa2048, rsa3072, rsa4096)",
    `  composite:NAME with NAME one of ${composite.join(", ")}`,
  ].join("\n");
}
