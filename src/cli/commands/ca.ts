// `lwcmp ca init`, `lwcmp serve`, `lwcmp approve`: running the CA and deciding waiting requests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { CertificateAuthority, type CaLogEvent } from "../../ca/authority.js";
import { buildDemoPki } from "../../ca/demo.js";
import { loadCaMaterials, readCertificates, readPrivateKey } from "../../config/materials.js";
import { rolloverRoot } from "../../ca/rollover.js";
import { exportPrivateKeyPem } from "../../crypto/index.js";
import { toPem } from "../../pki/pem.js";
import { parseDocument } from "yaml";
import { loadConfig, resolvePath } from "../../config/load.js";
import { openStore } from "../../store/open.js";
import { startCmpHttpServer } from "../../transport/http-server.js";
import { InputError } from "../input.js";

export function logLine(e: CaLogEvent | Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
}

function storeUrl(store: string, baseDir: string): string {
  if (store.startsWith("sqlite:") && !store.startsWith("sqlite::memory:")) {
    return `sqlite:${resolvePath(baseDir, store.slice(7))}`;
  }
  return store;
}

export function initDemo(
  dir: string,
  opts: { alg?: string; port?: number; force?: boolean },
): { config: string; kid: string; secret: string } {
  const target = resolve(dir);
  if (existsSync(join(target, "lwcmp.yaml")) && !opts.force) {
    throw new InputError(`${target} already holds a configuration; use --force to replace it`);
  }
  mkdirSync(target, { recursive: true });
  const { files, kid, secret } = buildDemoPki({ alg: opts.alg, port: opts.port });
  for (const f of files) writeFileSync(join(target, f.name), f.content, { mode: f.secret ? 0o600 : 0o644 });
  return { config: join(target, "lwcmp.yaml"), kid, secret };
}

export async function startServer(
  configPath: string,
  overrides: { port?: number; host?: string; log?: (e: CaLogEvent) => void } = {},
) {
  const { config, baseDir } = loadConfig(configPath);
  const materials = loadCaMaterials(config, baseDir);
  const store = await openStore(storeUrl(config.store, baseDir));
  const ca = new CertificateAuthority({ config, materials, store, log: overrides.log ?? logLine });
  const tls = config.server.tls
    ? {
        cert: readFileSync(resolvePath(baseDir, config.server.tls.certificate), "utf8"),
        key: readFileSync(resolvePath(baseDir, config.server.tls.key), "utf8"),
      }
    : undefined;
  const server = await startCmpHttpServer((der, ctx) => ca.handle(der, ctx), {
    host: overrides.host ?? config.server.host,
    port: overrides.port ?? config.server.port,
    maxRequestBytes: config.server.maxRequestBytes,
    requestTimeoutMs: config.server.requestTimeout,
    tls,
    discovery: () => ca.discovery(),
    onError: (e) => logLine({ event: "http-error", detail: e instanceof Error ? e.message : String(e) }),
  });
  // Unconfirmed certificates past confirmWaitTime are revoked, expired state dropped; any replica may do it.
  const sweepEvery = Math.min(60_000, Math.max(1000, config.policy.confirmWaitTime / 2));
  const sweeper = setInterval(
    () => void ca.sweep().catch((e: unknown) => logLine({ event: "sweep-failed", detail: String(e) })),
    sweepEvery,
  );
  sweeper.unref();
  return {
    url: server.url,
    port: server.port,
    ca,
    store,
    close: async () => {
      clearInterval(sweeper);
      await server.close();
      await store.close();
    },
  };
}

export function registerCaCommands(program: Command): void {
  const ca = program.command("ca").description("set up a CA");
  ca.command("init")
    .description(
      "create a demo PKI (root CA, issuing CA, CMP signer, manufacturer CA + IDevID, shared secret) and its configuration",
    )
    .requiredOption("--dir <dir>", "folder for keys, certificates and lwcmp.yaml")
    .option(
      "--alg <type>",
      "key type of all keys (ec-p256, ec-p384, rsa2048, ed25519, ml-dsa-65, ...)",
      "ec-p256",
    )
    .option("--port <port>", "HTTP port in the configuration", (v) => Number(v), 8080)
    .option("--force", "replace an existing configuration")
    .action((o: { dir: string; alg: string; port: number; force?: boolean }) => {
      const r = initDemo(o.dir, o);
      process.stdout.write(
        `Demo PKI written to ${resolve(o.dir)}\n  configuration: ${r.config}\n  shared secret: kid "${r.kid}" in ${r.kid}.secret\nStart it with: lwcmp serve --config ${r.config}\n`,
      );
    });

  ca.command("rollover")
    .description(
      "roll the root CA key over (RFC 9483 §4.3.2): new root, newWithOld and oldWithNew, offered by genm rootCaCert",
    )
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .requiredOption("--root-key <file>", "private key of the current root CA")
    .option("--root-cert <file>", "current root CA certificate (default: the last entry of ca.chain)")
    .option("--alg <type>", "key type of the new root (default: that of the old key)")
    .action((o: { config: string; rootKey: string; rootCert?: string; alg?: string }) => {
      const { config, baseDir, path } = loadConfig(o.config);
      const rootPath =
        o.rootCert ??
        (config.ca.chain.length
          ? resolvePath(baseDir, config.ca.chain[config.ca.chain.length - 1]!)
          : undefined);
      if (!rootPath)
        throw new InputError("no root certificate: give --root-cert or list the root last in ca.chain");
      const oldRoot = readCertificates(rootPath)[0]!;
      const r = rolloverRoot(oldRoot.der, readPrivateKey(o.rootKey), { alg: o.alg });
      const out = (n: string, c: string, secret = false) =>
        writeFileSync(join(baseDir, n), c, { mode: secret ? 0o600 : 0o644 });
      out("new-root-ca.crt", toPem(r.newWithNew, "CERTIFICATE"));
      out("new-root-ca.key", exportPrivateKeyPem(r.newKey), true);
      out("new-root-with-old.crt", toPem(r.newWithOld, "CERTIFICATE"));
      out("old-root-with-new.crt", toPem(r.oldWithNew, "CERTIFICATE"));
      const doc = parseDocument(readFileSync(path, "utf8"));
      doc.setIn(["ca", "rootUpdate"], {
        newWithNew: "new-root-ca.crt",
        newWithOld: "new-root-with-old.crt",
        oldWithNew: "old-root-with-new.crt",
      });
      writeFileSync(path, doc.toString());
      process.stdout.write(
        `new root CA written to ${baseDir} (new-root-ca.crt/.key, new-root-with-old.crt, old-root-with-new.crt);\n${path} now offers them to genm rootCaCert; restart the server.\n`,
      );
    });

  program
    .command("serve")
    .description("run the CA: CMP over HTTP on /.well-known/cmp")
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .option("--port <port>", "override the configured port", (v) => Number(v))
    .option("--host <host>", "override the configured listen address")
    .action(async (o: { config: string; port?: number; host?: string }) => {
      const s = await startServer(o.config, o);
      process.stdout.write(`lwcmp CA listening on ${s.url}\n`);
      const stop = () => {
        void s.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise(() => undefined);
    });

  const approve = program
    .command("approvals")
    .description("decide enrollments that wait for approval (RFC 9483 §4.4)");
  approve
    .command("list")
    .requiredOption("--config <file>", "configuration file")
    .option("--all", "also decided ones")
    .action(async (o: { config: string; all?: boolean }) => {
      const { config, baseDir } = loadConfig(o.config);
      const store = await openStore(storeUrl(config.store, baseDir));
      const list = await store.listApprovals(o.all ? undefined : "pending");
      for (const a of list) {
        process.stdout.write(
          `${a.id}  ${a.status.padEnd(8)}  ${a.createdAt.toISOString()}  profile=${a.profile}  ${a.summary}\n`,
        );
      }
      if (list.length === 0) process.stdout.write("no requests are waiting\n");
      await store.close();
    });
  for (const [name, decision] of [
    ["accept", "approved"],
    ["reject", "rejected"],
  ] as const) {
    approve
      .command(name)
      .argument("<id>", "approval id from `lwcmp approvals list`")
      .requiredOption("--config <file>", "configuration file")
      .option("--reason <text>", "reason told to the requester")
      .action(async (id: string, o: { config: string; reason?: string }) => {
        const { config, baseDir } = loadConfig(o.config);
        const store = await openStore(storeUrl(config.store, baseDir));
        const ok = await store.decideApproval(id, decision, o.reason, new Date());
        await store.close();
        if (!ok) throw new InputError(`no pending request with id ${id}`);
        process.stdout.write(`request ${id} ${decision}; the client receives the answer at its next poll\n`);
      });
  }
}

/** `lwcmp demo`: a demo PKI in a local folder, served, with the commands that enroll against it. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("create (once) and run a demo PKI, and print commands that enroll against it")
    .option("--dir <dir>", "folder for the demo PKI", ".lwcmp-demo")
    .option("--port <port>", "HTTP port", (v) => Number(v), 8080)
    .option("--alg <type>", "key type for a new demo PKI", "ec-p256")
    .action(async (o: { dir: string; port: number; alg: string }) => {
      const dir = resolve(o.dir);
      if (!existsSync(join(dir, "lwcmp.yaml"))) initDemo(dir, { alg: o.alg, port: o.port });
      const s = await startServer(join(dir, "lwcmp.yaml"), { port: o.port });
      const base = `http://127.0.0.1:${s.port}`;
      const rel = (f: string) => join(o.dir, f);
      const secret = `file:${rel("demo-ee.secret")}`;
      process.stdout.write(`
lwcmp demo CA listening on ${s.url}
  PKI files and configuration: ${dir}   (lwcmp.yaml, SQLite store lwcmp.db)

Enroll with lwcmp (in another terminal, from this folder):
  npm run lwcmp -- ir --server ${base} --ref demo-ee --secret ${secret} \\
      --subject /CN=device-1 --newkeytype ec-p256 --newkeyout device-1.key --certout device-1.crt --trusted ${rel("root-ca.crt")}
  npm run lwcmp -- ir --server ${base} --cert ${rel("idevid-chain.crt")} --key ${rel("idevid.key")} \\
      --subject /CN=device-2 --newkeytype ec-p256 --newkeyout device-2.key --certout device-2.crt --trusted ${rel("root-ca.crt")}
  npm run lwcmp -- kur --server ${base} --cert device-1.crt --key device-1.key --newkeytype ec-p256 \\
      --newkeyout device-1-new.key --certout device-1-new.crt --trusted ${rel("root-ca.crt")} --untrusted ${rel("issuing-ca.crt")}
  npm run lwcmp -- genm --server ${base} --ref demo-ee --secret ${secret} --infotype caCerts

Enroll with OpenSSL:
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out device-3.key
  openssl cmp -cmd ir -server 127.0.0.1:${s.port} -path .well-known/cmp/p/default/initialization \\
      -ref demo-ee -secret ${secret} -recipient "/O=lwcmp demo/CN=Demo Issuing CA" \\
      -newkey device-3.key -subject /CN=device-3 -certout device-3.crt -trusted ${rel("root-ca.crt")}
  openssl verify -CAfile ${rel("root-ca.crt")} -untrusted ${rel("issuing-ca.crt")} device-3.crt

Requests to profile "approval" wait for: npm run lwcmp -- approvals list --config ${rel("lwcmp.yaml")}
Stop with Ctrl-C.
`);
      const stop = () => {
        void s.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise(() => undefined);
    });
}
