// `lwcmp ca init|rollover`, `lwcmp serve`, `lwcmp ocsp serve`, `lwcmp approvals`, `lwcmp certs`, `lwcmp demo`:
// flags in, src/server calls, words out.
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  demoInstructions,
  initDemo,
  openConfiguredStore,
  prepareDemo,
  defaultWorkers,
  rolloverConfiguredRoot,
  startCluster,
  startRaServer,
  startServer,
  type RunningServer,
} from "../../server/index.js";
import { keyTypeHelp } from "../../config/keytypes.js";
import { InputError } from "../input.js";
import { registerOcspCommands } from "./ocsp.js";
import { registerCertsCommands } from "./certs.js";
import { parseKeyType, parsePort } from "../values.js";

/**
 * Prints the banner, then keeps the process up until SIGINT / SIGTERM and closes the server. The handlers
 * come first: whoever reads the banner may stop the server at once.
 */
export async function runUntilStopped(s: Pick<RunningServer, "close">, banner: string): Promise<never> {
  const stop = () => {
    void s.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(banner);
  return new Promise<never>(() => undefined);
}

function registerInit(ca: Command): void {
  ca.command("init")
    .description(
      "create a demo PKI (root CA, issuing CA, CMP signer, manufacturer CA + IDevID, shared secret) and its configuration",
    )
    .requiredOption("--dir <dir>", "folder for keys, certificates and lwcmp.yaml")
    .option(
      "--alg <type>",
      "key type of all keys (ec-p256, ec-p384, rsa2048, ed25519, ml-dsa-65, ...; listed below)",
      parseKeyType,
      "ec-p256",
    )
    .option("--port <port>", "HTTP port in the configuration", parsePort, 8080)
    .addHelpText("after", `\nKey types (--alg):\n${keyTypeHelp()}\n`)
    .option("--force", "replace an existing configuration")
    .action((o: { dir: string; alg: string; port: number; force?: boolean }) => {
      const r = initDemo(o.dir, o);
      process.stdout.write(
        `Demo PKI written to ${resolve(o.dir)}\n  configuration: ${r.config}\n  shared secret: kid "${r.kid}" in ${r.kid}.secret\nStart it with: lwcmp serve --config ${r.config}\n`,
      );
    });
}

function registerRollover(ca: Command): void {
  ca.command("rollover")
    .description(
      "roll the root CA key over (RFC 9483 §4.3.2): new root, newWithOld and oldWithNew, offered by genm rootCaCert",
    )
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .requiredOption("--root-key <file>", "private key of the current root CA")
    .option("--root-cert <file>", "current root CA certificate (default: the last entry of ca.chain)")
    .option("--alg <type>", "key type of the new root (default: that of the old key)", parseKeyType)
    .action((o: { config: string; rootKey: string; rootCert?: string; alg?: string }) => {
      const r = rolloverConfiguredRoot(o.config, o);
      process.stdout.write(
        `new root CA written to ${r.dir} (${r.files.join(", ")});\n${r.config} now offers them to genm rootCaCert; restart the server.\n`,
      );
    });
}

function registerApprovals(program: Command): void {
  const approve = program
    .command("approvals")
    .description("decide enrollments that wait for approval (RFC 9483 §4.4)");
  approve
    .command("list")
    .requiredOption("--config <file>", "configuration file")
    .option("--all", "also decided ones")
    .action(async (o: { config: string; all?: boolean }) => {
      const store = await openConfiguredStore(o.config);
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
        const store = await openConfiguredStore(o.config);
        const ok = await store.decideApproval(id, decision, o.reason, new Date());
        await store.close();
        if (!ok) throw new InputError(`no pending request with id ${id}`);
        process.stdout.write(`request ${id} ${decision}; the client receives the answer at its next poll\n`);
      });
  }
}

export function registerCaCommands(program: Command): void {
  const ca = program.command("ca").description("set up a CA");
  registerInit(ca);
  registerRollover(ca);
  program
    .command("serve")
    .description(
      "run the CA: CMP over HTTP on /.well-known/cmp (OCSP on /ocsp when configured), after the checks of `lwcmp config check`",
    )
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .option("--port <port>", "override the configured port", parsePort)
    .option("--host <host>", "override the configured listen address")
    .option("--workers <n>", "worker processes sharing the port (default: number of cores)", (v) => Number(v))
    .action(async (o: { config: string; port?: number; host?: string; workers?: number }) => {
      const workers = o.workers ?? defaultWorkers();
      if (!Number.isSafeInteger(workers) || workers < 1)
        throw new InputError("--workers must be a positive integer");
      const s = await startCluster(o.config, { port: o.port, host: o.host, workers });
      const on = workers > 1 ? ` (${workers} workers)` : "";
      await runUntilStopped(s, `lwcmp CA listening on ${s.url}${on}\n`);
    });
  registerApprovals(program);
  // The responder serves the CA's certificates, so its commands come with the CA's.
  registerOcspCommands(program);
  registerCertsCommands(program);
}

/** `lwcmp demo`: a demo PKI in a local folder, served, with the commands that enroll against it. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("create (once) and run a demo PKI, and print commands that enroll against it")
    .option("--dir <dir>", "folder for the demo PKI and the keys and certificates enrolled", ".lwcmp-demo")
    .option("--port <port>", "HTTP port", parsePort, 8080)
    .option("--alg <type>", "key type for a new demo PKI", parseKeyType, "ec-p256")
    .action(async (o: { dir: string; port: number; alg: string }) => {
      const { config, raConfig } = prepareDemo(o.dir, { alg: o.alg, port: o.port });
      const s = await startServer(config, { port: o.port });
      // The demo RA on the next port, in front of this CA (a demo folder made before RAs has no ra.yaml).
      const ra = raConfig
        ? await startRaServer(raConfig, {
            port: s.port + 1,
            upstreamUrls: { ca: s.url, "ca-nested": s.url },
          }).catch(async (e: unknown) => {
            await s.close();
            throw e;
          })
        : undefined;
      const both = { close: async () => (await ra?.close(), await s.close()) };
      await runUntilStopped(both, demoInstructions(o.dir, s.port, s.url, ra?.url));
    });
}
