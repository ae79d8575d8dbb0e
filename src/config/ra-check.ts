// The check of the `ra` section beyond its schema: the signer's key and certificate (id-kp-cmcRA),
// trust files, upstream files and secrets, and the routes (src/config/ra-policy.ts raRouteProblems).
import { id_kp_cmcRA, id_kp_cmKGA } from "../asn1/oids.js";
import { getExtKeyUsage } from "../pki/extensions.js";
import { pair, type ConfigReport, type FileReader } from "./check-files.js";
import { raRouteProblems } from "./ra-policy.js";
import type { RaSection } from "./ra-schema.js";

export function checkRa(ra: RaSection, files: FileReader, report: ConfigReport): void {
  const { problems } = report;
  const signer = pair(files, problems, "ra.signer", ra.signer);
  ra.signer.chain.forEach((f, i) => files.certs(`ra.signer.chain.${i}`, f));
  // RFC 9483 §5.2.3 / RFC 6402: an RA's CMP signer certificate carries id-kp-cmcRA, or a CA may refuse it.
  if (signer && !getExtKeyUsage(signer.certs[0]!.cert)?.includes(id_kp_cmcRA)) {
    report.warnings.push(
      "ra.signer.certificate: lacks extended key usage id-kp-cmcRA; a CA may refuse the RA's re-protected and nested messages",
    );
  }
  if (ra.kga) {
    const kga = pair(files, problems, "ra.kga", ra.kga);
    // RFC 9483 §4.1.6: the EE accepts a key package only when its signer carries id-kp-cmKGA.
    if (kga && !getExtKeyUsage(kga.certs[0]!.cert)?.includes(id_kp_cmKGA)) {
      problems.push(
        "ra.kga.certificate: lacks extended key usage id-kp-cmKGA; end entities refuse its key packages",
      );
    }
  }
  for (const k of ["issuing", "external", "ras"] as const) {
    ra.trust[k].forEach((f, i) => files.certs(`ra.trust.${k}.${i}`, f));
  }
  for (const [name, u] of Object.entries(ra.upstreams)) {
    u.trust.forEach((f, i) => files.certs(`ra.upstreams.${name}.trust.${i}`, f));
    if (u.serverCertificate) files.certs(`ra.upstreams.${name}.serverCertificate`, u.serverCertificate);
    if (u.transfer) files.folder(`ra.upstreams.${name}.transfer`, u.transfer);
    if (u.trust.length === 0 && !u.serverCertificate && !u.mac) {
      problems.push(
        `ra.upstreams.${name}: give trust (anchors) or serverCertificate, so the RA can check the upstream's answers`,
      );
    }
  }
  problems.push(...raRouteProblems(ra));
}
