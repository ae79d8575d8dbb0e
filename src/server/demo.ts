// The demo PKI on disk: written once into a folder, with the commands that enroll against it. Everything
// those commands write goes below the demo folder (ee/), never into the folder they are run from.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildDemoPki } from "../ca/demo.js";
import { ConfigError } from "../config/load.js";

/** Sub-folder of the demo folder for the end-entity keys and certificates the printed commands make. */
export const DEMO_EE_DIR = "ee";

export interface DemoInit {
  /** Absolute path of the written lwcmp.yaml. */
  config: string;
  kid: string;
  secret: string;
}

/** Writes a demo PKI and its lwcmp.yaml into `dir` (`lwcmp ca init`). */
export function initDemo(dir: string, opts: { alg?: string; port?: number; force?: boolean } = {}): DemoInit {
  const target = resolve(dir);
  if (existsSync(join(target, "lwcmp.yaml")) && !opts.force) {
    throw new ConfigError(`${target} already holds a configuration; use --force to replace it`);
  }
  mkdirSync(target, { recursive: true });
  const { files, kid, secret } = buildDemoPki({ alg: opts.alg, port: opts.port });
  for (const f of files) writeFileSync(join(target, f.name), f.content, { mode: f.secret ? 0o600 : 0o644 });
  return { config: join(target, "lwcmp.yaml"), kid, secret };
}

/** The demo folder ready to serve (`lwcmp demo`): a PKI made on first use and the ee/ output folder. */
export function prepareDemo(dir: string, opts: { alg?: string; port?: number } = {}): { config: string } {
  const config = join(resolve(dir), "lwcmp.yaml");
  if (!existsSync(config)) initDemo(dir, opts);
  mkdirSync(join(resolve(dir), DEMO_EE_DIR), { recursive: true });
  return { config };
}

export interface DemoCommands {
  lwcmp: string[];
  openssl: string[];
  approvals: string;
}

/**
 * The enrollment commands against a running demo CA, for a shell in the folder that holds `dir` (`dir` as
 * the user gave it, e.g. ".lwcmp-demo"). Multi-line commands use shell continuations.
 */
export function demoCommands(dir: string, port: number): DemoCommands {
  const base = `http://127.0.0.1:${port}`;
  const d = (f: string) => join(dir, f);
  const ee = (f: string) => join(dir, DEMO_EE_DIR, f);
  const secret = `file:${d("demo-ee.secret")}`;
  const trusted = `--trusted ${d("root-ca.crt")}`;
  const lwcmp = "npm run lwcmp --";
  return {
    lwcmp: [
      `${lwcmp} ir --server ${base} --ref demo-ee --secret ${secret} \\
      --subject /CN=device-1 --newkeytype ec-p256 --newkeyout ${ee("device-1.key")} --certout ${ee("device-1.crt")} ${trusted}`,
      `${lwcmp} ir --server ${base} --cert ${d("idevid-chain.crt")} --key ${d("idevid.key")} \\
      --subject /CN=device-2 --newkeytype ec-p256 --newkeyout ${ee("device-2.key")} --certout ${ee("device-2.crt")} ${trusted}`,
      `${lwcmp} kur --server ${base} --cert ${ee("device-1.crt")} --key ${ee("device-1.key")} --newkeytype ec-p256 \\
      --newkeyout ${ee("device-1-new.key")} --certout ${ee("device-1-new.crt")} ${trusted} --untrusted ${d("issuing-ca.crt")}`,
      `${lwcmp} genm --server ${base} --ref demo-ee --secret ${secret} --infotype caCerts`,
    ],
    openssl: [
      `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${ee("device-3.key")}`,
      `openssl cmp -cmd ir -server 127.0.0.1:${port} -path .well-known/cmp/p/default/initialization \\
      -ref demo-ee -secret ${secret} -recipient "/O=lwcmp demo/CN=Demo Issuing CA" \\
      -newkey ${ee("device-3.key")} -subject /CN=device-3 -certout ${ee("device-3.crt")} -trusted ${d("root-ca.crt")}`,
      `openssl verify -CAfile ${d("root-ca.crt")} -untrusted ${d("issuing-ca.crt")} ${ee("device-3.crt")}`,
    ],
    approvals: `${lwcmp} approvals list --config ${d("lwcmp.yaml")}`,
  };
}

/** What `lwcmp demo` prints once the CA listens. */
export function demoInstructions(dir: string, port: number, url: string): string {
  const c = demoCommands(dir, port);
  const indent = (cmds: string[]) => cmds.map((x) => `  ${x}`).join("\n");
  return `
lwcmp demo CA listening on ${url}
  PKI files and configuration: ${resolve(dir)}   (lwcmp.yaml, SQLite store lwcmp.db)
  keys and certificates the commands below make: ${join(dir, DEMO_EE_DIR)}

Enroll with lwcmp (in another terminal, from this folder):
${indent(c.lwcmp)}

Enroll with OpenSSL:
${indent(c.openssl)}

Requests to profile "approval" wait for: ${c.approvals}
Stop with Ctrl-C.
`;
}
