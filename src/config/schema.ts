// The lwcmp configuration file: one validated document (YAML or JSON) for server, CA, trust and profiles.
import { z } from "zod";
import { EKU_NAMES } from "../ca/issuer.js";
import { DOTTED_OID, duration } from "./values.js";
import { RaSectionSchema } from "./ra-schema.js";

export { parseDuration } from "./values.js";

/** An extended key usage: a name of EKU_NAMES (exact spelling) or a dotted OID (RFC 5280 §4.2.1.12). */
const extendedKeyUsage = z.string().superRefine((v, ctx) => {
  if (Object.hasOwn(EKU_NAMES, v) || DOTTED_OID.test(v)) return;
  const near = Object.keys(EKU_NAMES).find((n) => n.toLowerCase() === v.toLowerCase());
  ctx.addIssue({
    code: "custom",
    message: `unknown extended key usage "${v}"${near ? ` (did you mean ${near}?)` : ""}: use one of ${Object.keys(EKU_NAMES).join(", ")} or a dotted OID`,
  });
});

/** A regular expression the CA compiles at start-up; one that does not compile is refused here. */
const regex = z.string().superRefine((v, ctx) => {
  try {
    new RegExp(`^(?:${v})$`);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(e as Error).message}` });
  }
});

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
    extendedKeyUsage: z.array(extendedKeyUsage).default([]),
    /** Key types requesters may certify (see docs/configuration.md); empty = any supported. */
    allowedKeyTypes: z.array(z.string()).default([]),
    /** Smallest key size in bits per key type (e.g. { rsa: 3072 }); the built-in minimum otherwise. */
    minimumKeyBits: z.record(z.string(), z.number().int().positive()).default({}),
    /** Certify a public key that another certificate of this CA already certifies. */
    allowKeyReuse: z.boolean().default(false),
    /** Key usages a request may ask for in its template or CSR (RFC 5280 §4.2.1.3). */
    requestableKeyUsage: z
      .array(keyUsage)
      .default(["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement"]),
    /** Extended key usages a request may ask for besides `extendedKeyUsage` (names or OIDs). */
    requestableExtendedKeyUsage: z.array(z.string()).default([]),
    /** Accept an empty subject when subjectAltNames are requested (RFC 5280 §4.1.2.6). */
    allowEmptySubject: z.boolean().default(false),
    /** Let cr and kur request a subject other than the one of the requester's certificate. */
    allowSubjectChange: z.boolean().default(false),
    /** Regular expression a requested subject (RFC 4514 string) must match entirely. */
    subjectPattern: regex.default(".*"),
    /** Subject alternative names: allowed DNS name pattern; SANs of other kinds are refused. */
    sanDnsPattern: regex.optional(),
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

/** The OCSP responder of the CA (RFC 6960 with the RFC 9919 profile): pre-produced responses. */
export const OcspSectionSchema = z
  .object({
    /** The responder's URL, placed in authorityInfoAccess of issued certificates; served below /ocsp. */
    url: z.string().url(),
    /** A delegated responder (id-kp-OCSPSigning, id-pkix-ocsp-nocheck) issued by the CA; absent: the CA key signs. */
    responder: z.object({ certificate: pemFile, key: pemFile }).optional(),
    /** How often responses are re-signed ahead of their nextUpdate. */
    refreshInterval: duration.default(3_600_000),
    /** nextUpdate - thisUpdate of each response. */
    validity: duration.default(86_400_000),
  })
  .strict();
export type OcspSection = z.infer<typeof OcspSectionSchema>;

const CRL_DEFAULTS = {
  interval: 86_400_000,
  publishOnRevoke: true,
  distributionPoints: [] as string[],
  shards: 1,
};

export const CrlSectionSchema = z
  .object({
    /** A full CRL is published this often (and when the latest one is missing). */
    interval: duration.default(CRL_DEFAULTS.interval),
    /** nextUpdate - thisUpdate; default: ca.crlValidity. */
    validity: duration.optional(),
    /** Publish a new CRL as soon as a certificate is revoked. */
    publishOnRevoke: z.boolean().default(true),
    /** CRL distribution point URIs for issued certificates; "{shard}" stands for the shard number. */
    distributionPoints: z.array(z.string().url()).default([]),
    /** Partitions of the CRL (RFC 5280 §5.2.5); a certificate's shard follows from its serial. */
    shards: z.number().int().min(1).max(256).default(1),
  })
  .strict();

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
    /** nextUpdate - thisUpdate of published CRLs (RFC 5280 §5.1.2.5), unless crl.validity says otherwise. */
    crlValidity: duration.default(7 * 86_400_000),
    /** Short name in the download paths /crl/<name>.crl and /ca/<name>.crt; default derived from the CN. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
      .optional(),
    /** CRL publication (RFC 5280 §5) and the distribution points named in issued certificates. */
    crl: CrlSectionSchema.default(CRL_DEFAULTS),
    /** AIA caIssuers URIs (RFC 5280 §4.2.2.1) placed in issued certificates, e.g. http://host/ca/<name>.crt */
    caIssuers: z.array(z.string().url()).default([]),
  })
  .strict();
export type CaSection = z.infer<typeof CaSectionSchema>;

const count = z.number().int().positive();
/** A signature-protected ir with its certificate chain is ~180 elements (a batch of 50: < 10,000); room for 100+. */
export const NESTED_NODES_DEFAULT = 30_000;

/** Resource limits of the server (docs/security.md "Resource limits"); durations in the config's units. */
export const ServerLimitsSchema = z
  .object({
    /** Concurrent connections of the listener. */
    maxConnections: count.default(1024),
    /** Time for the complete request headers. */
    headersTimeout: duration.default(10_000),
    /** Time an idle keep-alive connection stays open after an answer. */
    keepAliveTimeout: duration.default(5_000),
    /** A connection that sends nothing for this long is closed. */
    idleTimeout: duration.default(10_000),
    /** Certificates in a request's extraCerts. */
    maxExtraCerts: count.default(32),
    /** Total bytes of a request's extraCerts. */
    maxExtraCertsBytes: count.default(512 * 1024),
    /** ASN.1 elements in one request (bounds parsing time). */
    maxAsn1Nodes: count.default(4_000),
    /** ASN.1 elements in one message on the "nested" path: a batch of up to 100 requests (RFC 9483 §5.2.2.2). */
    maxNestedAsn1Nodes: count.default(NESTED_NODES_DEFAULT),
    /** Entries and bytes of the parsed-certificate cache. */
    certCacheEntries: count.default(512),
    certCacheBytes: count.default(8 * 1024 * 1024),
  })
  .strict();
export type ServerLimits = z.infer<typeof ServerLimitsSchema>;
const SERVER_LIMIT_DEFAULTS = {
  maxConnections: 1024,
  headersTimeout: 10_000,
  keepAliveTimeout: 5_000,
  idleTimeout: 10_000,
  maxExtraCerts: 32,
  maxExtraCertsBytes: 512 * 1024,
  maxAsn1Nodes: 4_000,
  maxNestedAsn1Nodes: NESTED_NODES_DEFAULT,
  certCacheEntries: 512,
  certCacheBytes: 8 * 1024 * 1024,
};

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
        limits: ServerLimitsSchema.default(SERVER_LIMIT_DEFAULTS),
      })
      .strict()
      .default({
        host: "127.0.0.1",
        port: 8080,
        maxRequestBytes: 1024 * 1024,
        requestTimeout: 30_000,
        limits: SERVER_LIMIT_DEFAULTS,
      }),
    /** Store URL: sqlite:PATH (relative to the config file) or postgres://... */
    store: z.string().default("sqlite:lwcmp.db"),
    ca: CaSectionSchema.optional(),
    ocsp: OcspSectionSchema.optional(),
    /** A registration authority (RFC 9483 §5): `lwcmp ra serve` runs it. */
    ra: RaSectionSchema.optional(),
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
            /** DNS subjectAltNames the holder may request; with `subject` and no list, none. */
            dnsNames: z.array(z.string()).optional(),
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
        /** Receiver rules stricter than the tolerant defaults (docs/conformance.md). */
        strict: z
          .object({
            /** Shortest transactionID / senderNonce accepted (octets); RFC 9483 §3.1 senders use 16. */
            minNonceBytes: z.number().int().min(1).max(64).default(8),
            /** Refuse signed requests without senderKID when the certificate has an SKI (RFC 9483 §3.1). */
            requireSenderKID: z.boolean().default(false),
          })
          .strict()
          .default({ minNonceBytes: 8, requireSenderKID: false }),
        /** Refuse an rr without reasonCode (RFC 9483 §4.2); OpenSSL 3.0 sends none unless -revreason. */
        requireRevocationReason: z.boolean().default(false),
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
        strict: { minNonceBytes: 8, requireSenderKID: false },
        requireRevocationReason: false,
      }),
    /** Certificate profiles by name; "default" is used when a request names none. */
    profiles: z.record(z.string(), ProfileSchema).default({}),
  })
  .strict();
/** A validated configuration file; its `ca` section may be absent. */
export type ConfigDocument = z.infer<typeof ConfigSchema>;
/** A configuration that runs a CA: one with a `ca` section (see requireCa in load.ts). */
export type Config = ConfigDocument & { ca: CaSection };
