// `lwcmp genm` (RFC 9483 §4.3): CA certificates, root CA update, certificate request template, CRLs,
// and the other infoTypes answered generically.
import { Option, type Command } from "commander";
import { InfoTypeAndValue } from "../../asn1/cmp.js";
import * as oids from "../../asn1/oids.js";
import type { CmpClient } from "../../client/client.js";
import { CrlIssuerUnknownError } from "../../client/genm.js";
import { toPem } from "../../pki/pem.js";
import { writeOut } from "../exchange.js";
import { InputError } from "../input.js";
import { addCommon, buildClient, describe, readCerts, type CommonOpts } from "./client.js";

/** genm (§4.3) with the infoTypes RFC 9483 names. */
interface GenmOpts extends CommonOpts {
  infotype: string;
  oldroot?: string;
  issuer?: string;
  certout?: string;
  crlout?: string;
  oldcert?: string;
}

/** infoTypes a genm may ask for: RFC 9483 §4.3 ones first, then RFC 9810 §5.3.19 ones answered generically. */
export const GENM_INFOTYPES = [
  "caCerts",
  "rootCaCert",
  "certReqTemplate",
  "crlStatusList",
  "signKeyPairTypes",
  "encKeyPairTypes",
  "preferredSymmAlg",
  "caProtEncCert",
  "currentCRL",
  "suppLangTags",
] as const;

async function runGenm(client: CmpClient, o: GenmOpts): Promise<void> {
  switch (o.infotype) {
    case "caCerts": {
      const certs = await client.getCaCerts();
      for (const c of certs) process.stdout.write(`CA certificate: ${describe(c)}\n`);
      if (o.certout) writeOut(o.certout, certs.map((c) => toPem(c, "CERTIFICATE")).join(""));
      break;
    }
    case "rootCaCert": {
      const u = await client.getRootUpdate(o.oldroot ? readCerts(o.oldroot)[0] : undefined);
      if (!u) {
        process.stdout.write("no root CA update available\n");
        break;
      }
      process.stdout.write(`new root CA: ${describe(u.newWithNew)}\n`);
      if (o.certout)
        writeOut(
          o.certout,
          [u.newWithNew, u.newWithOld, u.oldWithNew]
            .filter((c): c is Uint8Array => !!c)
            .map((c) => toPem(c, "CERTIFICATE"))
            .join(""),
        );
      break;
    }
    case "certReqTemplate": {
      const t = await client.getCertReqTemplate();
      if (!t) {
        process.stdout.write("the CA offers no template for this profile\n");
        break;
      }
      const names = (t.keySpec ?? []).map((c) => oids.controlNames[c.type] ?? c.type);
      process.stdout.write(
        `certificate request template: keySpec ${names.length ? names.join(", ") : "(none)"}\n`,
      );
      break;
    }
    case "crlStatusList": {
      const old = o.oldcert ? readCerts(o.oldcert)[0] : undefined;
      const crls = await client.getCrls(o.issuer, undefined, old).catch((e: unknown) => {
        if (!(e instanceof CrlIssuerUnknownError)) throw e;
        throw new InputError(
          "crlStatusList: no CRL issuer is known from the credential, --recipient or --oldcert; give --issuer <dn>",
        );
      });
      process.stdout.write(`received ${crls.length} CRL(s)\n`);
      if (o.crlout) writeOut(o.crlout, crls.map((c) => toPem(c, "X509 CRL")).join(""));
      break;
    }
    default: {
      const oid = Object.entries(oids.infoTypeNames).find(([, n]) => n === o.infotype)?.[0];
      if (!oid) throw new InputError(`unknown infotype ${o.infotype}`);
      const itavs = await client.genm([new InfoTypeAndValue({ infoType: oid })]);
      for (const i of itavs) {
        process.stdout.write(
          `${oids.infoTypeNames[i.infoType] ?? i.infoType}: ${i.infoValue ? `${i.infoValue.byteLength} bytes` : "(no value)"}\n`,
        );
      }
    }
  }
}

export function registerGenmCommand(program: Command): void {
  addCommon(
    program
      .command("genm")
      .description("general message (§4.3): CA certificates, root update, template, CRLs"),
  )
    .addOption(
      new Option("--infotype <name>", "what to ask for").choices(GENM_INFOTYPES).makeOptionMandatory(),
    )
    .option("--oldroot <file>", "rootCaCert: the root certificate the client trusts now")
    .option("--issuer <dn>", "crlStatusList: issuer whose CRL is wanted")
    .option("--oldcert <file>", "crlStatusList: a certificate whose CRL is wanted (its distribution point)")
    .option("--certout <file>", "caCerts / rootCaCert: write the certificates (PEM)")
    .option("--crlout <file>", "crlStatusList: write the CRLs (PEM)")
    .action(async (o: GenmOpts) => {
      const op =
        {
          caCerts: "getcacerts",
          rootCaCert: "getrootupdate",
          certReqTemplate: "getcertreqtemplate",
          crlStatusList: "getcrls",
        }[o.infotype] ?? "getcacerts";
      const c = buildClient(o, op);
      await c.run((client) => runGenm(client, o));
    });
}
