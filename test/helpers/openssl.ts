// Test helpers around the system `openssl` command (the interop peer), its CMP mock server, and temporary folders.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../bench/server-procs.js";
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

export interface OpensslMock {
  url: string;
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** `openssl cmp -port <free port> ...args` (its mock server), once it accepts connections. */
export async function startOpensslMock(dir: string, args: string[]): Promise<OpensslMock> {
  const port = await freePort();
  let out = "";
  const proc = spawn(OPENSSL, ["cmp", "-port", String(port), ...args], { cwd: dir });
  proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  for (let i = 0; i < 100 && !/ACCEPT/.test(out) && !exited(); i++)
    await new Promise((r) => setTimeout(r, 50));
  if (!/ACCEPT/.test(out)) {
    proc.kill();
    throw new Error(`mock server did not start: ${out}`);
  }
  return {
    url: `http://127.0.0.1:${port}/pkix/`,
    proc,
    log: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (exited()) return resolve();
        proc.once("exit", () => resolve());
        proc.kill();
      }),
  };
}
