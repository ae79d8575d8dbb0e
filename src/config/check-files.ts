// What the configuration checks share: the report, reading the named files with one line per failure,
// and a key checked against its certificate.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import type { PrivateKey } from "../crypto/index.js";
import { certificatePublicKey, type CertEntry } from "../pki/path.js";
import { resolvePath } from "./load.js";
import { readCertificates, readPrivateKey } from "./materials.js";

/**
 * What a check found, one line each (without the file name). Problems stop `serve`; warnings name
 * what will not work (a KGA certificate clients refuse, say) without stopping it.
 */
export interface ConfigReport {
  problems: string[];
  warnings: string[];
}

export class FileReader {
  constructor(
    private readonly baseDir: string,
    private readonly problems: string[],
  ) {}

  certs(where: string, file: string): CertEntry[] | undefined {
    return this.attempt(where, () => readCertificates(resolvePath(this.baseDir, file)));
  }

  key(where: string, file: string): PrivateKey | undefined {
    return this.attempt(where, () => readPrivateKey(resolvePath(this.baseDir, file)));
  }

  /** A folder the process writes to (a transfer folder): it must be one, and writable, when it exists. */
  folder(where: string, dir: string): void {
    const path = resolvePath(this.baseDir, dir);
    if (!existsSync(path)) return;
    if (!statSync(path).isDirectory()) {
      this.problems.push(`${where}: ${path} is not a folder`);
      return;
    }
    try {
      accessSync(path, constants.W_OK);
    } catch {
      this.problems.push(`${where}: the folder ${path} is not writable`);
    }
  }

  private attempt<T>(where: string, read: () => T): T | undefined {
    try {
      return read();
    } catch (e) {
      this.problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}

/** Whether the private key belongs to the certificate: both SubjectPublicKeyInfos, re-encoded, agree. */
function keyMatches(key: PrivateKey, cert: CertEntry): boolean {
  try {
    return Buffer.from(certificatePublicKey(cert.cert).spki).equals(Buffer.from(key.publicKey.spki));
  } catch {
    return false;
  }
}

export function pair(
  files: FileReader,
  problems: string[],
  at: string,
  p: { certificate: string; key: string },
): { certs: CertEntry[]; key: PrivateKey } | undefined {
  const certs = files.certs(`${at}.certificate`, p.certificate);
  const key = files.key(`${at}.key`, p.key);
  if (!certs || !key) return undefined;
  if (!keyMatches(key, certs[0]!)) {
    problems.push(`${at}.key: ${p.key} is not the key of ${p.certificate} (their public keys differ)`);
  }
  return { certs, key };
}
