// The complete check of a configuration (`lwcmp config check`, and `serve` before it starts): schema,
// key type names, files, keys against their certificates, chains, shared secrets. One line per problem.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { keyAlgorithm } from "../crypto/index.js";
import { id_kp_cmKGA } from "../asn1/oids.js";
import { getExtKeyUsage } from "../pki/extensions.js";
import { validatePath, type CertEntry } from "../pki/path.js";
import { allowedKeyTypeProblem, isKeyTypeSpec } from "./keytypes.js";
import { ConfigError, loadConfig, resolvePath, resolveSecret, type LoadedConfig } from "./load.js";
import type { CaSection, ConfigDocument } from "./schema.js";
import { checkRa } from "./ra-check.js";
import { FileReader, pair, type ConfigReport } from "./check-files.js";

export type { ConfigReport } from "./check-files.js";

/** What `serve` and `config check` throw for problems: `problems` holds one line each, naming the file. */
export class ConfigCheckError extends ConfigError {
  constructor(path: string, problems: readonly string[]) {
    const lines = problems.map((p) => `${path}: ${p}`);
    super(`configuration ${path} has ${problems.length} problem(s):\n  ${lines.join("\n  ")}`, lines);
  }
}

/** The check of the configuration file at `path`. */
export async function checkConfigFile(path: string, now = new Date()): Promise<ConfigReport> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(path);
  } catch (e) {
    if (e instanceof ConfigError) return { problems: [...e.problems], warnings: [] };
    throw e;
  }
  return checkLoadedConfig(loaded, now);
}

/** The check of a parsed configuration beyond its schema (which parseConfig has enforced already). */
export async function checkLoadedConfig(loaded: LoadedConfig, now = new Date()): Promise<ConfigReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { config, baseDir } = loaded;
  checkProfiles(config, problems);
  checkSecrets(config, baseDir, problems);
  checkStore(config.store, problems);
  const files = new FileReader(baseDir, problems);
  if (config.ca) await checkCa(config.ca, files, { problems, warnings }, now);
  if (config.ra) checkRa(config.ra, files, { problems, warnings });
  config.trust.external.forEach((f, i) => files.certs(`trust.external.${i}`, f));
  config.trust.ras.forEach((f, i) => files.certs(`trust.ras.${i}`, f));
  if (config.server.tls) checkTls(config.server.tls, baseDir, problems);
  return { problems, warnings };
}

function checkProfiles(config: ConfigDocument, problems: string[]): void {
  for (const [name, p] of Object.entries(config.profiles)) {
    const at = `profiles.${name}`;
    p.allowedKeyTypes.forEach((t, i) => {
      const why = allowedKeyTypeProblem(t);
      if (why) problems.push(`${at}.allowedKeyTypes.${i}: ${why}`);
    });
    if (!isKeyTypeSpec(p.centralKeyType)) {
      problems.push(`${at}.centralKeyType: unknown key type "${p.centralKeyType}"`);
    }
    if (p.template.algorithm && !keyAlgorithm(p.template.algorithm)) {
      problems.push(`${at}.template.algorithm: unknown key type "${p.template.algorithm}"`);
    }
  }
}

function checkSecrets(config: ConfigDocument, baseDir: string, problems: string[]): void {
  const seen = new Set<string>();
  config.sharedSecrets.forEach((s, i) => {
    const at = `sharedSecrets.${i} (kid ${s.kid})`;
    if (seen.has(s.kid)) problems.push(`${at}: kid "${s.kid}" is listed twice`);
    seen.add(s.kid);
    try {
      if (resolveSecret(baseDir, s.secret).length === 0) problems.push(`${at}: the secret is empty`);
    } catch (e) {
      problems.push(`${at}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (s.profile && !config.profiles[s.profile]) {
      problems.push(`${at}: profile "${s.profile}" is not defined under profiles`);
    }
  });
}

function checkStore(store: string, problems: string[]): void {
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(store)) {
    problems.push(`store: "${store}" is not a store URL: use sqlite:PATH or postgres://...`);
  }
}

/** Reads the files a configuration names, recording a problem (and giving undefined) for each failure. */
async function chainProblem(
  target: CertEntry,
  anchor: CertEntry,
  intermediates: CertEntry[],
  now: Date,
): Promise<string | undefined> {
  try {
    await validatePath(target, { anchors: [anchor], intermediates, time: now });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

async function checkCa(ca: CaSection, files: FileReader, report: ConfigReport, now: Date): Promise<void> {
  const { problems } = report;
  const issuing = pair(files, problems, "ca", ca);
  const chain: CertEntry[] = [];
  let chainRead = true;
  ca.chain.forEach((f, i) => {
    const c = files.certs(`ca.chain.${i}`, f);
    if (c) chain.push(...c);
    else chainRead = false;
  });
  const ru = ca.rootUpdate;
  if (ru) {
    for (const k of ["newWithNew", "newWithOld", "oldWithNew"] as const) {
      if (ru[k]) files.certs(`ca.rootUpdate.${k}`, ru[k]);
    }
  }
  const signer = ca.cmpSigner ? pair(files, problems, "ca.cmpSigner", ca.cmpSigner) : undefined;
  const kga = ca.kga ? pair(files, problems, "ca.kga", ca.kga) : undefined;
  if (!issuing || !chainRead) return;
  const caCert = issuing.certs[0]!;
  // The root is the last certificate of ca.chain; without a chain the issuing CA is its own root.
  const root = chain.at(-1) ?? caCert;
  const between = chain.slice(0, -1);
  const caWhy = await chainProblem(caCert, root, between, now);
  if (caWhy) problems.push(`ca.chain: the issuing CA certificate does not chain to the root: ${caWhy}`);
  if (signer) {
    const why = await chainProblem(signer.certs[0]!, root, [caCert, ...between], now);
    if (why) problems.push(`ca.cmpSigner.certificate: does not chain to the CA: ${why}`);
  }
  if (kga) {
    // RFC 9483 §4.1.6: the KGA certificate carries id-kp-cmKGA.
    const pool = [...kga.certs.slice(1), caCert, ...between];
    const why = await chainProblem(kga.certs[0]!, root, pool, now);
    if (why) problems.push(`ca.kga.certificate: does not chain to the CA: ${why}`);
    else if (!getExtKeyUsage(kga.certs[0]!.cert)?.includes(id_kp_cmKGA)) {
      report.warnings.push(
        "ca.kga.certificate: lacks extended key usage id-kp-cmKGA; clients will refuse centrally generated keys (RFC 9483 §4.1.6)",
      );
    }
  }
}

function checkTls(tls: { certificate: string; key: string }, baseDir: string, problems: string[]): void {
  let cert: X509Certificate;
  let key: ReturnType<typeof createPrivateKey>;
  try {
    cert = new X509Certificate(readFileSync(resolvePath(baseDir, tls.certificate)));
  } catch (e) {
    problems.push(`server.tls.certificate: cannot use ${tls.certificate}: ${errorText(e)}`);
    return;
  }
  try {
    key = createPrivateKey(readFileSync(resolvePath(baseDir, tls.key)));
  } catch (e) {
    problems.push(`server.tls.key: cannot use ${tls.key}: ${errorText(e)}`);
    return;
  }
  if (!cert.checkPrivateKey(key)) {
    problems.push(`server.tls.key: ${tls.key} is not the key of ${tls.certificate}`);
  }
}

function errorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code && /^E[A-Z]+$/.test(code)) return code;
  return e instanceof Error ? e.message : String(e);
}
