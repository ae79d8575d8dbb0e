// Maps the configuration file onto the CA's typed policy (src/ca/policy.ts): names resolved to OIDs,
// patterns compiled once, durations in milliseconds.
import type { CaPolicy, ProfilePolicy, RequestPolicy } from "../ca/policy.js";
import { EKU_NAMES } from "../ca/issuer.js";
import { ConfigError } from "./load.js";
import type { ConfigDocument, Profile } from "./schema.js";

function pattern(text: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${text})$`);
  } catch (e) {
    throw new ConfigError(`${where} is not a valid regular expression: ${(e as Error).message}`);
  }
}

function profilePolicy(name: string, p: Profile): ProfilePolicy {
  return {
    name,
    validityMs: p.validity,
    keyUsage: p.keyUsage,
    extendedKeyUsage: p.extendedKeyUsage.map((n) => EKU_NAMES[n] ?? n),
    allowedKeyTypes: p.allowedKeyTypes,
    subjectPattern: pattern(p.subjectPattern, `profiles.${name}.subjectPattern`),
    sanDnsPattern: p.sanDnsPattern ? pattern(p.sanDnsPattern, `profiles.${name}.sanDnsPattern`) : undefined,
    bindSubjectToSecret: p.bindSubjectToSecret,
    template: p.template,
    crlDistributionPoints: p.crlDistributionPoints,
    centralKeyGeneration: p.centralKeyGeneration,
    centralKeyType: p.centralKeyType,
  };
}

export function caPolicyFromConfig(config: ConfigDocument): CaPolicy {
  const requests = new Map<string, RequestPolicy>();
  for (const [name, p] of Object.entries(config.profiles)) {
    requests.set(name, {
      profile: profilePolicy(name, p),
      requesters: p.requesters,
      requireApproval: p.requireApproval,
    });
  }
  const pol = config.policy;
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
    crlValidityMs: config.ca?.crlValidity ?? 7 * 86_400_000,
  };
}
