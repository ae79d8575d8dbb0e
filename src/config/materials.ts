// Reads the PEM files a configuration names into the keys and certificates a CA needs.
import { readFileSync } from "node:fs";
import { importPrivateKeyPem, type PrivateKey } from "../crypto/index.js";
import { certEntry, type CertEntry } from "../pki/path.js";
import { pemBlocks } from "../pki/pem.js";
import type { ConfigDocument } from "./schema.js";
import { ConfigError, requireCa, resolvePath, resolveSecret } from "./load.js";

export interface SharedSecretEntry {
  kid: string;
  secret: Uint8Array;
  subject?: string;
  profile?: string;
}

export interface CaMaterials {
  caCert: CertEntry;
  caKey: PrivateKey;
  /** Certificates above the issuing CA, root last. */
  chain: CertEntry[];
  signer: { cert: CertEntry; key: PrivateKey };
  /** Key generation authority: certificate with id-kp-cmKGA, its key and chain. */
  kga?: { cert: CertEntry; key: PrivateKey; chain: Uint8Array[] };
  externalAnchors: CertEntry[];
  raCerts: CertEntry[];
  /** Shared secrets by hex of the senderKID bytes (the UTF-8 of `kid`). */
  secrets: Map<string, SharedSecretEntry>;
  rootUpdate?: { newWithNew: CertEntry; newWithOld?: CertEntry; oldWithNew?: CertEntry };
}

export function readCertificates(path: string): CertEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch (e) {
    throw new ConfigError(
      `cannot read certificate file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  const blocks = pemBlocks(text, "CERTIFICATE");
  if (blocks.length === 0) {
    if (text.charCodeAt(0) === 0x30) return [certEntry(new Uint8Array(readFileSync(path)))];
    throw new ConfigError(`${path} holds no PEM certificate`);
  }
  return blocks.map((b) => certEntry(b));
}

export function readPrivateKey(path: string): PrivateKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return importPrivateKeyPem(text);
  } catch (e) {
    throw new ConfigError(`${path} is not a usable private key: ${(e as Error).message}`);
  }
}

/** The CA's keys and certificates; `path` (the configuration file) names it when the `ca` section is missing. */
export function loadCaMaterials(document: ConfigDocument, baseDir: string, path?: string): CaMaterials {
  const config = requireCa(document, path);
  const p = (x: string) => resolvePath(baseDir, x);
  const one = (x: string) => readCertificates(p(x))[0]!;
  const caCert = one(config.ca.certificate);
  const caKey = readPrivateKey(p(config.ca.key));
  const chain = config.ca.chain.flatMap((c) => readCertificates(p(c)));
  const signer = config.ca.cmpSigner
    ? { cert: one(config.ca.cmpSigner.certificate), key: readPrivateKey(p(config.ca.cmpSigner.key)) }
    : { cert: caCert, key: caKey };
  const kgaCerts = config.ca.kga ? readCertificates(p(config.ca.kga.certificate)) : [];
  const kga = config.ca.kga
    ? {
        cert: kgaCerts[0]!,
        key: readPrivateKey(p(config.ca.kga.key)),
        chain: [...kgaCerts.slice(1).map((c) => c.der), caCert.der, ...chain.map((c) => c.der)],
      }
    : undefined;
  const secrets = loadSharedSecrets(document, baseDir);
  const ru = config.ca.rootUpdate;
  return {
    caCert,
    caKey,
    chain,
    signer,
    kga,
    externalAnchors: config.trust.external.flatMap((c) => readCertificates(p(c))),
    raCerts: config.trust.ras.flatMap((c) => readCertificates(p(c))),
    secrets,
    rootUpdate: ru
      ? {
          newWithNew: one(ru.newWithNew),
          newWithOld: ru.newWithOld ? one(ru.newWithOld) : undefined,
          oldWithNew: ru.oldWithNew ? one(ru.oldWithNew) : undefined,
        }
      : undefined,
  };
}

/** The shared secrets of the file by hex of their senderKID bytes (the UTF-8 of `kid`). */
export function loadSharedSecrets(config: ConfigDocument, baseDir: string): Map<string, SharedSecretEntry> {
  const secrets = new Map<string, SharedSecretEntry>();
  for (const s of config.sharedSecrets) {
    const hex = Buffer.from(s.kid, "utf8").toString("hex");
    if (secrets.has(hex)) throw new ConfigError(`shared secret kid "${s.kid}" is listed twice`);
    secrets.set(hex, {
      kid: s.kid,
      secret: resolveSecret(baseDir, s.secret),
      subject: s.subject,
      profile: s.profile,
    });
  }
  return secrets;
}
