// The lwcmp configuration file: one validated document (YAML or JSON) for server, CA, trust and profiles.
import { z } from "zod";

const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(ms|s|m|h|d)$/)])
  .transform((v) => (typeof v === "number" ? v * 1000 : parseDuration(v)));

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
}

const keyUsage = z.enum([
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "crlSign",
  "encipherOnly",
  "decipherOnly",
]);

export const ProfileSchema = z
  .object({
    /** Validity of issued certificates. */
    validity: duration.default(365 * 86_400_000),
    keyUsage: z.array(keyUsage).default(["digitalSignature"]),
    /** Extended key usages: names (serverAuth, clientAuth, cmKGA, ...) or OIDs. */
    extendedKeyUsage: z.array(z.string()).default([]),
    /** Key types requesters may certify (see docs/configuration.md); empty = any supported. */
    allowedKeyTypes: z.array(z.string()).default([]),
    /** Regular expression a requested subject (RFC 4514 string) must match entirely. */
    subjectPattern: z.string().default(".*"),
    /** Subject alternative names: allowed DNS name pattern; SANs of other kinds are refused. */
    sanDnsPattern: z.string().optional(),
    /** Whether a MAC-authenticated requester's subject must equal its shared-secret entry's subject. */
    bindSubjectToSecret: z.boolean().default(true),
    /** Requests wait for an administrator's decision (`lwcmp approve`): polling per RFC 9483 §4.4. */
    requireApproval: z.boolean().default(false),
    /** Who may use this profile: "mac" (shared secrets), "external" (manufacturer certificates), "issued" (our certificates). */
    requesters: z
      .array(z.enum(["mac", "external", "issued", "ra"]))
      .default(["mac", "external", "issued", "ra"]),
    /** Controls offered in certReqTemplate (RFC 9483 §4.3.3). */
    template: z
      .object({
        algorithm: z.string().optional(),
        rsaKeyLength: z.number().int().optional(),
      })
      .default({}),
    /** CRL distribution point URIs placed in issued certificates. */
    crlDistributionPoints: z.array(z.string()).default([]),
    /** Offer central key generation (RFC 9483 §4.1.6) under this profile when a KGA is configured. */
    centralKeyGeneration: z.boolean().default(true),
    /** Key type generated centrally when the request does not name one. */
    centralKeyType: z.string().default("ec-p256"),
  })
  .strict();
export type Profile = z.infer<typeof ProfileSchema>;

const pemFile = z.string().min(1);

/** The issuing CA: needed to run a CA, absent in a file for other roles (an RA, a client). */
export const CaSectionSchema = z
  .object({
    /** Issuing CA certificate and key (PEM). */
    certificate: pemFile,
    key: pemFile,
    /** The certificates above the issuing CA up to and including the root (PEM files). */
    chain: z.array(pemFile).default([]),
    /** The CMP signer that protects responses (RFC 9483 §3.1); defaults to the CA key itself. */
    cmpSigner: z.object({ certificate: pemFile, key: pemFile }).optional(),
    /** Key generation authority (RFC 9483 §4.1.6): a certificate with id-kp-cmKGA and its key; enables central key generation. */
    kga: z.object({ certificate: pemFile, key: pemFile }).optional(),
    /** Root CA update state (RFC 9483 §4.3.2): written by `lwcmp ca rollover`. */
    rootUpdate: z
      .object({ newWithNew: pemFile, newWithOld: pemFile.optional(), oldWithNew: pemFile.optional() })
      .optional(),
    crlValidity: duration.default(7 * 86_400_000),
  })
  .strict();
export type CaSection = z.infer<typeof CaSectionSchema>;

export const ConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(8080),
        maxRequestBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
        requestTimeout: duration.default(30_000),
        tls: z.object({ certificate: pemFile, key: pemFile }).optional(),
      })
      .strict()
      .default({ host: "127.0.0.1", port: 8080, maxRequestBytes: 1024 * 1024, requestTimeout: 30_000 }),
    /** Store URL: sqlite:PATH (relative to the config file) or postgres://... */
    store: z.string().default("sqlite:lwcmp.db"),
    ca: CaSectionSchema.optional(),
    trust: z
      .object({
        /** Trust anchors for external (e.g. manufacturer IDevID) certificates protecting ir (RFC 9483 §4.1.1). */
        external: z.array(pemFile).default([]),
        /** Registration authorities allowed to send raVerified POP and to act for EEs (certificates, PEM). */
        ras: z.array(pemFile).default([]),
      })
      .strict()
      .default({ external: [], ras: [] }),
    /** Shared secrets for MAC-based protection (RFC 9483 §4.1.5), looked up by senderKID. */
    sharedSecrets: z
      .array(
        z
          .object({
            kid: z.string().min(1),
            /** The secret itself, or env:NAME, or file:PATH. */
            secret: z.string().min(1),
            /** Subject the holder may request (RFC 4514); if absent, the profile decides. */
            subject: z.string().optional(),
            profile: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    policy: z
      .object({
        /** Grant implicitConfirm when the EE asks for it. */
        allowImplicitConfirm: z.boolean().default(true),
        /** How long an issued certificate waits for certConf before it is revoked. */
        confirmWaitTime: duration.default(300_000),
        /** Accepted clock difference for messageTime (RFC 9483 §3.1). */
        messageTimeSkew: duration.default(600_000),
        /** checkAfter in pollRep / waiting responses. */
        pollInterval: duration.default(5_000),
        /** Highest PasswordBasedMac / PBKDF2 iteration count accepted. */
        maxMacIterations: z.number().int().positive().default(100_000),
        /**
         * Key encryption of the KGA's PasswordRecipientInfo (RFC 9483 §4.1.6.3): AES key wrap as RFC 9481
         * §4.4 asks, or the RFC 3211 PWRI-KEK wrap for peers that know only that.
         */
        kgaPasswordKeyWrap: z.enum(["aes-kw", "pwri-kek"]).default("aes-kw"),
        /** Revoke the old certificate when a kur succeeds and is confirmed. */
        revokeOnKeyUpdate: z.boolean().default(false),
      })
      .strict()
      .default({
        allowImplicitConfirm: true,
        confirmWaitTime: 300_000,
        messageTimeSkew: 600_000,
        pollInterval: 5_000,
        maxMacIterations: 100_000,
        kgaPasswordKeyWrap: "aes-kw",
        revokeOnKeyUpdate: false,
      }),
    /** Certificate profiles by name; "default" is used when a request names none. */
    profiles: z.record(z.string(), ProfileSchema).default({}),
  })
  .strict();
/** A validated configuration file; its `ca` section may be absent. */
export type ConfigDocument = z.infer<typeof ConfigSchema>;
/** A configuration that runs a CA: one with a `ca` section (see requireCa in load.ts). */
export type Config = ConfigDocument & { ca: CaSection };
