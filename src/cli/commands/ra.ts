// `lwcmp ra serve|enroll|revoke|transfer`: the RA process, an RA acting for entities that do not speak
// CMP (RFC 9483 §5.3), and the far side of a file-transfer folder (§6.4).
import type { Command } from "commander";
import { importPublicKeyPem } from "../../crypto/index.js";
import { derFromBytes, toPem } from "../../pki/pem.js";
import { enrollForKey, enrollFromCsr, revokeOnBehalf } from "../../ra/on-behalf.js";
import { actingFromConfig } from "../../server/ra-upstream.js";
import { readBytes, readText, writeOut } from "../exchange.js";
import { InputError } from "../input.js";
import { describe } from "./client.js";
import { parsePort, parseRevReason, REASON_HELP } from "../values.js";
import { startRaServer } from "../../server/ra.js";
import { runUntilStopped } from "./ca.js";
import { existsSync } from "node:fs";
import { answerTransferFolder } from "../../transport/file-transfer.js";
import { CmpTransportError, postCmp } from "../../transport/http-client.js";

interface EnrollOpts {
  config: string;
  csr?: string;
  pubkey?: string;
  subject?: string;
  dns?: string[];
  profile?: string;
  upstream?: string;
  certout: string;
}

async function enrollAction(o: EnrollOpts): Promise<void> {
  if ((o.csr === undefined) === (o.pubkey === undefined)) {
    throw new InputError("give either --csr (a PKCS#10 request) or --pubkey with --subject");
  }
  const acting = actingFromConfig(o.config, o);
  let result;
  if (o.csr) {
    result = await enrollFromCsr(acting, derFromBytes(readBytes(o.csr, "--csr"), "--csr"));
  } else {
    if (!o.subject) throw new InputError("--pubkey needs --subject (the certificate's subject)");
    let spki: Uint8Array;
    try {
      spki = importPublicKeyPem(readText(o.pubkey!, "--pubkey")).spki;
    } catch (e) {
      throw new InputError(`--pubkey ${o.pubkey} is not a usable public key: ${(e as Error).message}`);
    }
    result = await enrollForKey(acting, { subject: o.subject, spki, dnsNames: o.dns });
  }
  writeOut(o.certout, toPem(result.certificate, "CERTIFICATE"));
  process.stdout.write(`certificate issued: ${describe(result.certificate)}; written to ${o.certout}\n`);
}

export function registerRaCommands(program: Command): void {
  const ra = program.command("ra").description("registration authority (RFC 9483 §5)");
  ra.command("serve")
    .description(
      "run an RA / LRA: CMP over HTTP downstream on /.well-known/cmp, forwarding to its upstreams, after the checks of `lwcmp config check`",
    )
    .requiredOption("--config <file>", "RA configuration (ra.yaml)")
    .option("--port <port>", "override the configured port", parsePort)
    .option("--host <host>", "override the configured listen address")
    .action(async (o: { config: string; port?: number; host?: string }) => {
      const s = await startRaServer(o.config, { port: o.port, host: o.host });
      await runUntilStopped(s, `lwcmp RA listening on ${s.url}\n`);
    });
  ra.command("enroll")
    .description(
      "request a certificate for an entity that does not speak CMP (RFC 9483 §5.3): from a CSR (p10cr) or for a public key the RA verified (ir with raVerified), signed by the RA",
    )
    .requiredOption("--config <file>", "RA configuration (ra.yaml)")
    .option("--csr <file>", "PKCS#10 request (PEM or DER)")
    .option("--pubkey <file>", "public key (PEM) whose possession the RA verified")
    .option("--subject <dn>", "subject with --pubkey, e.g. /CN=plc-7")
    .option("--dns <name...>", "DNS subjectAltNames with --pubkey")
    .option("--profile <name>", "certificate profile")
    .option("--upstream <name>", "upstream of the configuration (default: the first)")
    .requiredOption("--certout <file>", "where the certificate goes (PEM)")
    .action(enrollAction);
  ra.command("revoke")
    .description("revoke another entity's certificate with an rr signed by the RA (RFC 9483 §5.3.2)")
    .requiredOption("--config <file>", "RA configuration (ra.yaml)")
    .requiredOption("--cert <file>", "the certificate to revoke (PEM or DER)")
    .option("--reason <reason>", `CRLReason: ${REASON_HELP}`, parseRevReason, 0)
    .option("--upstream <name>", "upstream of the configuration (default: the first)")
    .action(async (o: { config: string; cert: string; reason: number; upstream?: string }) => {
      const acting = actingFromConfig(o.config, o);
      const cert = derFromBytes(readBytes(o.cert, "--cert"), "--cert");
      const r = await revokeOnBehalf(acting, cert, o.reason);
      process.stdout.write(`revocation ${r.status}\n`);
    });
  ra.command("transfer")
    .description(
      "answer the requests an LRA left in a transfer folder (RFC 9483 §6.4): each requests/*.PKI goes to --url, its answer to responses/",
    )
    .requiredOption("--dir <folder>", "the transfer folder (its requests/ and responses/)")
    .requiredOption(
      "--url <url>",
      "the CMP server the requests go to, e.g. http://ra.example:8080/.well-known/cmp",
    )
    .option("--timeout <seconds>", "per-request timeout", (v) => Number(v), 30)
    .action(transferAction);
}

async function transferAction(o: { dir: string; url: string; timeout: number }): Promise<void> {
  if (!existsSync(o.dir)) throw new InputError(`--dir ${o.dir} does not exist`);
  try {
    new URL(o.url);
  } catch {
    throw new InputError(`--url ${o.url} is not a URL`);
  }
  const r = await answerTransferFolder(o.dir, (der) => postCmp(o.url, der, { timeoutMs: o.timeout * 1000 }));
  process.stdout.write(`answered ${r.answered.length} request(s) in ${o.dir}\n`);
  if (r.failed.length > 0) {
    const lines = r.failed.map((f) => `${f.name}: ${f.reason}`).join("; ");
    throw new CmpTransportError(
      `${r.failed.length} request(s) got no answer (they stay for the next run): ${lines}`,
    );
  }
}
