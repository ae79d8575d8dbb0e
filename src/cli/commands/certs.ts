// `lwcmp certs list|show|search|revoke`: the operator's view of a CA's certificates; flags in,
// src/server's openOperator calls, one line per certificate out.
import { CRL_REASON_HELP } from "../../pki/crl.js";
import type { Command } from "commander";
import { OperatorError, type CaOperator } from "../../ca/operator.js";
import { crlReasonName } from "../../pki/crl.js";
import { openOperator } from "../../server/index.js";
import type { CertificateRecord } from "../../store/store.js";
import { InputError } from "../input.js";

const STATUSES = ["unconfirmed", "valid", "revoked"] as const;

function line(c: CertificateRecord): string {
  const rev = c.status === "revoked" ? `  ${crlReasonName(c.revocationReason ?? 0)}` : "";
  // RFC 9483 §5.2: the RA that forwarded the request, quoted (a subject may hold spaces).
  const via = c.forwardedBy ? `  forwardedBy=${JSON.stringify(c.forwardedBy)}` : "";
  return `${c.serial}  ${c.status.padEnd(11)}  ${c.createdAt.toISOString()}  profile=${c.profile}  ${c.subject}${rev}${via}\n`;
}

function details(c: CertificateRecord): string {
  const rows: [string, string | undefined][] = [
    ["serial", c.serial],
    ["subject", c.subject],
    ["issuer", c.issuer],
    ["status", c.status],
    ["profile", c.profile],
    ["requester", c.requester],
    ["forwardedBy", c.forwardedBy],
    ["issued", c.createdAt.toISOString()],
    ["notBefore", c.notBefore.toISOString()],
    ["notAfter", c.notAfter.toISOString()],
    ["revoked", c.revocationTime?.toISOString()],
    ["reason", c.status === "revoked" ? crlReasonName(c.revocationReason ?? 0) : undefined],
    ["invalidityDate", c.invalidityDate?.toISOString()],
  ];
  return rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(15)}${v}\n`)
    .join("");
}

function date(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new InputError(`${flag}: "${text}" is not a date (use 2026-03-01 or ISO 8601)`);
  return d;
}

function status(text: string | undefined): CertificateRecord["status"] | undefined {
  if (text === undefined) return undefined;
  const s = STATUSES.find((x) => x === text);
  if (!s) throw new InputError(`--status must be one of ${STATUSES.join(", ")}`);
  return s;
}

async function withOperator(config: string, fn: (op: CaOperator) => Promise<void>): Promise<void> {
  const { operator, close } = await openOperator(config);
  try {
    await fn(operator);
  } catch (e) {
    if (e instanceof OperatorError) throw new InputError(e.message);
    throw e;
  } finally {
    await close();
  }
}

interface SearchFlags {
  config: string;
  subject?: string;
  serial?: string;
  status?: string;
  profile?: string;
  forwardedBy?: string;
  issuedAfter?: string;
  issuedBefore?: string;
  limit: number;
}

function searchOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .option("--subject <text>", "part of the subject, any case")
    .option("--serial <hex>", "serial number")
    .option("--status <status>", STATUSES.join(" | "))
    .option("--profile <name>", "certificate profile")
    .option("--forwarded-by <subject>", "forwarded by this RA (its certificate's subject, exactly)")
    .option("--issued-after <date>", "issued at or after this date")
    .option("--issued-before <date>", "issued before this date")
    .option("--limit <n>", "at most this many", (v) => Number(v), 100);
}

function runSearch(o: SearchFlags): Promise<void> {
  return withOperator(o.config, async (op) => {
    const list = await op.search({
      subjectContains: o.subject,
      serial: o.serial,
      status: status(o.status),
      profile: o.profile,
      forwardedBy: o.forwardedBy,
      issuedAfter: date(o.issuedAfter, "--issued-after"),
      issuedBefore: date(o.issuedBefore, "--issued-before"),
      limit: o.limit,
    });
    for (const c of list) process.stdout.write(line(c));
    if (list.length === 0) process.stdout.write("no certificate matches\n");
  });
}

export function registerCertsCommands(program: Command): void {
  const certs = program
    .command("certs")
    .description("the certificates a CA issued: list, show, search, revoke");
  searchOptions(certs.command("list").description("list certificates (filters as for search)")).action(
    runSearch,
  );
  searchOptions(
    certs
      .command("search")
      .description("search by subject, serial, status, profile, forwarding RA, issue date"),
  ).action(runSearch);
  certs
    .command("show")
    .argument("<serial>", "serial number (hex)")
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .action((serial: string, o: { config: string }) =>
      withOperator(o.config, async (op) => {
        process.stdout.write(details(await op.show(serial)));
      }),
    );
  certs
    .command("revoke")
    .description("revoke a certificate (RFC 5280 §5.3.1 reason); the next CRL lists it")
    .argument("<serial>", "serial number (hex)")
    .requiredOption("--config <file>", "configuration file (lwcmp.yaml)")
    .option(
      "--reason <reason>",
      `a CRLReason by name or number except removeFromCRL: ${CRL_REASON_HELP}`,
      "unspecified",
    )
    .option("--invalidity-date <date>", "when the key was (suspected to be) compromised")
    .option("--operator <name>", "who revokes, for the audit log", process.env.USER ?? "operator")
    .action(
      (serial: string, o: { config: string; reason: string; invalidityDate?: string; operator: string }) =>
        withOperator(o.config, async (op) => {
          const r = await op.revoke(serial, {
            reason: o.reason,
            invalidityDate: date(o.invalidityDate, "--invalidity-date"),
            operator: o.operator,
          });
          const crl = r.published
            .map((p) => `CRL ${p.crlNumber} (${p.entries} entries) published`)
            .join("; ");
          process.stdout.write(
            `certificate ${r.certificate.serial} revoked (${crlReasonName(r.certificate.revocationReason ?? 0)}); ${crl || "the next CRL lists it"}\n`,
          );
        }),
    );
}
