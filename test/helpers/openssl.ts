// Test helpers around the system `openssl` command (the interop peer) and temporary folders.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pemBlocks } from "../../src/pki/certificate.js";

export const OPENSSL = process.env.LWCMP_OPENSSL ?? "openssl";

export function openssl(args: string[], opts: { cwd?: string; input?: Uint8Array | string } = {}): Buffer {
  return execFileSync(OPENSSL, args, { cwd: opts.cwd, input: opts.input, stdio: ["pipe", "pipe", "pipe"] });
}

export function tempDir(prefix = "lwcmp-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A self-signed EC P-256 certificate made by openssl: returns DER of cert and PEM paths. */
export function opensslSelfSigned(
  dir: string,
  name: string,
  subject: string,
): { der: Uint8Array; cert: string; key: string } {
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  openssl(["req", "-x509", "-new", "-key", key, "-subj", subject, "-days", "30", "-out", cert]);
  return { der: pemBlocks(readFileSync(cert, "latin1"))[0]!, cert, key };
}
