// Which registration authority forwarded a request to the CA (RFC 9483 §5.2), named by the RFC 4514
// subject of its certificate: the one rule the CA records with each certificate it issues.
import type { HandlerContext, Requester } from "../../cmp/server/types.js";
import { nameToString } from "../../pki/names.js";

/** A configured RA: protection by a certificate of the "ra" trust source (trust.ras). */
export function raSubject(who: Requester): string | undefined {
  if (who.kind !== "cert" || who.source !== "ra") return undefined;
  return nameToString(who.cert.cert.tbsCertificate.subject);
}

/**
 * The RA nearest the EE that passed the request on: the RA that protected the request itself
 * (re-protection or raVerified, RFC 9483 §5.2.3), else the RA whose nested message carried it
 * (§5.2.2); undefined for a request that came from the EE itself.
 */
export function forwardingRa(ctx: Pick<HandlerContext, "requester" | "forwardedBy">): string | undefined {
  return raSubject(ctx.requester) ?? ctx.forwardedBy;
}
