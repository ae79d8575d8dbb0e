// Maps the configuration file onto the CA's typed policy (src/ca/policy.ts): names resolved to OIDs,
// patterns compiled once, durations in milliseconds.
import type { CaPolicy, ProfilePolicy, RequestPolicy } from "../ca/policy.js";
import { EKU_NAMES } from "../ca/issuer.js";
import type { OcspPolicy } from "../ocsp/responder.js";
import { ConfigError } from "./load.js";
import type { ConfigDocument, Profile } from "./schema.js";

function pattern(text: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${text})$`);
  } catch (e) {
    throw new ConfigError(`${where} is not a valid regular expression: ${(e as Error).message}`);
  }
}

function profilePolicy(
  name: string,
  p: Profile,
  ca: ConfigDocument["ca"],
  ocspUrls?: readonly string[],
): ProfilePolicy {
  // A profile naming its own distribution points keeps them; otherwise the CA's (sharded) ones apply.
  const ownCdp = p.crlDistributionPoints.length > 0;
  return {
    name,
    validityMs: p.validity,
    keyUsage: p.keyUsage,
    extendedKeyUsage: p.extendedKeyUsage.map((n) => EKU_NAMES[n] ?? n),
    allowedKeyTypes: p.allowedKeyTypes,
    minimumKeyBits: p.minimumKeyBits,
    allowKeyReuse: p.allowKeyReuse,
    requestableKeyUsage: p.requestableKeyUsage,
    requestableExtendedKeyUsage: p.requestableExtendedKeyUsage.map((n) => EKU_NAMES[n] ?? n),
    allowEmptySubject: p.allowEmptySubject,
    allowSubjectChange: p.allowSubjectChange,
    subjectPattern: pattern(p.subjectPattern, `profiles.${name}.subjectPattern`),
    sanDnsPattern: p.sanDnsPattern ? pattern(p.sanDnsPattern, `profiles.${name}.sanDnsPattern`) : undefined,
    bindSubjectToSecret: p.bindSubjectToSecret,
    template: p.template,
    crlDistributionPoints: ownCdp ? p.crlDistributionPoints : (ca?.crl.distributionPoints ?? []),
    crlShards: ownCdp ? 1 : (ca?.crl.shards ?? 1),
    caIssuers: ca?.caIssuers ?? [],
    centralKeyGeneration: p.centralKeyGeneration,
    centralKeyType: p.centralKeyType,
    ocspUrls,
  };
}

export function caPolicyFromConfig(config: ConfigDocument): CaPolicy {
  const requests = new Map<string, RequestPolicy>();
  for (const [name, p] of Object.entries(config.profiles)) {
    requests.set(name, {
      profile: profilePolicy(name, p, config.ca, config.ocsp ? [config.ocsp.url] : undefined),
      requesters: p.requesters,
      requireApproval: p.requireApproval,
    });
  }
  const pol = config.policy;
  const dnsNames = new Map<string, readonly string[]>();
  for (const s of config.sharedSecrets) {
    // A secret bound to a subject may ask only for the SANs listed with it (none without a list).
    if (s.dnsNames || s.subject) dnsNames.set(s.kid, s.dnsNames ?? []);
  }
  return {
    defaultProfile: "default",
    profileNames: () => [...requests.keys()],
    // Every body type of a profile shares its rules today; the interface lets a role differ per type.
    forRequest: (profile) => requests.get(profile),
    transactions: {
      allowImplicitConfirm: pol.allowImplicitConfirm,
      confirmWaitTimeMs: pol.confirmWaitTime,
      messageTimeSkewMs: pol.messageTimeSkew,
      pollIntervalMs: pol.pollInterval,
      approvalWaitMs: 7 * 86_400_000,
    },
    maxMacIterations: pol.maxMacIterations,
    kgaPasswordKeyWrap: pol.kgaPasswordKeyWrap,
    revokeOnKeyUpdate: pol.revokeOnKeyUpdate,
    strict: { ...pol.strict },
    crlValidityMs: config.ca?.crlValidity ?? 7 * 86_400_000,
    revocation: { requireReasonCode: pol.requireRevocationReason },
    secretDnsNames: (kid) => dnsNames.get(kid),
    crl: {
      intervalMs: config.ca?.crl.interval ?? 86_400_000,
      validityMs: config.ca?.crl.validity ?? config.ca?.crlValidity ?? 7 * 86_400_000,
      publishOnRevoke: config.ca?.crl.publishOnRevoke ?? true,
      shards: config.ca?.crl.shards ?? 1,
      distributionPoints: config.ca?.crl.distributionPoints ?? [],
    },
    caName: config.ca?.name,
  };
}

/** The OCSP responder's policy from the `ocsp` section; undefined when the file has none. */
export function ocspPolicyFromConfig(config: ConfigDocument): OcspPolicy | undefined {
  const o = config.ocsp;
  if (!o) return undefined;
  if (o.refreshInterval >= o.validity) {
    throw new ConfigError("ocsp.refreshInterval must be shorter than ocsp.validity");
  }
  return { validityMs: o.validity, refreshMs: o.refreshInterval };
}
