// Starts a demo CA (lwcmp ca init + serve) in-process on an ephemeral port for end-to-end tests.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initDemo, startServer } from "../../src/server/index.js";
import { openssl, tempDir } from "./openssl.js";

export interface Demo {
  dir: string;
  url: string;
  port: number;
  secret: string;
  kid: string;
  file: (name: string) => string;
  read: (name: string) => string;
  server: Awaited<ReturnType<typeof startServer>>;
  close: () => Promise<void>;
}

export async function startDemo(
  opts: { alg?: string; configPatch?: (yaml: string) => string } = {},
): Promise<Demo> {
  const tmp = tempDir("lwcmp-e2e-");
  const r = initDemo(tmp.path, { alg: opts.alg, port: 0 });
  if (opts.configPatch) writeFileSync(r.config, opts.configPatch(readFileSync(r.config, "utf8")));
  const server = await startServer(r.config, { port: 0 });
  return {
    dir: tmp.path,
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    secret: r.secret,
    kid: r.kid,
    file: (n) => join(tmp.path, n),
    read: (n) => readFileSync(join(tmp.path, n), "utf8"),
    server,
    close: async () => {
      await server.close();
      tmp.cleanup();
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the server under test lives in this process). */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60_000,
        env: opts.env ?? process.env,
        maxBuffer: 10 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** `openssl cmp` options that protect with the demo shared secret (RFC 9483 §4.1.5). */
export function opensslMacArgs(d: Demo): string[] {
  return ["-ref", d.kid, "-secret", `pass:${d.secret}`];
}

/** `openssl cmp` options that protect with the demo IDevID and send its manufacturer CA (RFC 9483 §4.1.1). */
export function opensslIdevidArgs(d: Demo): string[] {
  return [
    "-cert",
    d.file("idevid.crt"),
    "-key",
    d.file("idevid.key"),
    "-extracerts",
    d.file("manufacturer-ca.crt"),
  ];
}

/** `openssl verify` of a certificate the demo CA issued: "OK" or the test fails. */
export function opensslVerifyIssued(d: Demo, file: string): void {
  const out = openssl([
    "verify",
    "-CAfile",
    d.file("root-ca.crt"),
    "-untrusted",
    d.file("issuing-ca.crt"),
    file,
  ]);
  if (!/: OK/.test(out.toString())) throw new Error(`openssl verify ${file}: ${out.toString()}`);
}
