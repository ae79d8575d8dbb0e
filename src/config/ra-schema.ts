// The `ra` section of the configuration file: the RA's CMP signer, downstream trust, upstreams, and one
// route per certificate profile and body type (RFC 9483 §5: forward, nest, batch, re-protect, answer).
import { z } from "zod";
import { DOTTED_OID, duration } from "./values.js";

const pemFile = z.string().min(1);
const count = z.number().int().positive();

const BATCH_DEFAULTS = { maxMessages: 50, maxWait: 2_000 };
const RETRY_DEFAULTS = { initialDelay: 5_000, maxDelay: 300_000, giveUpAfter: 86_400_000 };

export const UpstreamSchema = z
  .object({
    /** The upstream's CMP endpoint, e.g. http://ca.example:8080/.well-known/cmp (RFC 9483 §6.1). */
    url: z.string().url().optional(),
    /**
     * RFC 9483 §6.4 file-based transfer instead of a URL: a folder (relative to this file) where requests
     * are left in requests/ and answers are read back from responses/ (`lwcmp transfer` on the other side).
     */
    transfer: z.string().min(1).optional(),
    /** Certificate profile named upstream; default: the one the EE named. */
    profile: z.string().min(1).optional(),
    /** The upstream's name (RFC 4514) for the recipient field of messages the RA builds. */
    recipient: z.string().min(1).optional(),
    /** Trust anchors for the upstream's protection certificate (PEM files). */
    trust: z.array(pemFile).default([]),
    /** The upstream's protection certificate, trusted as it is. */
    serverCertificate: pemFile.optional(),
    /** A MAC credential towards the upstream instead of the RA's signature. */
    mac: z
      .object({ kid: z.string().min(1), secret: z.string().min(1) })
      .strict()
      .optional(),
    timeout: duration.default(30_000),
    /** Delayed delivery while the upstream is unreachable; giveUpAfter 0 refuses at once instead. */
    retry: z
      .object({
        initialDelay: duration.default(RETRY_DEFAULTS.initialDelay),
        maxDelay: duration.default(RETRY_DEFAULTS.maxDelay),
        giveUpAfter: duration.default(RETRY_DEFAULTS.giveUpAfter),
      })
      .strict()
      .default(RETRY_DEFAULTS),
    batch: z
      .object({ maxMessages: count.max(1000).default(50), maxWait: duration.default(2_000) })
      .strict()
      .default(BATCH_DEFAULTS),
  })
  .strict()
  .refine((u) => (u.url === undefined) !== (u.transfer === undefined), {
    message: "an upstream names exactly one of url or transfer (a folder for file-based transfer)",
  });

export const RouteSchema = z
  .object({
    /** RFC 9483 §5.2.1 forward, §5.2.2 nest / batch, §5.2.3 reprotect / raverified, §5.1 local. */
    mode: z.enum(["forward", "nest", "batch", "reprotect", "raverified", "local"]).optional(),
    upstream: z.string().min(1).optional(),
    /** Who may send this request downstream: "mac" or a trust source (external, issued, ra). */
    requesters: z.array(z.enum(["mac", "external", "issued", "ra"])).optional(),
    /** Ask the inventory hook before forwarding. */
    hook: z.boolean().optional(),
    /** Hold the request for an RA officer (`lwcmp approvals`) before it goes upstream (RFC 9483 §5.1). */
    approval: z.boolean().optional(),
  })
  .strict();

const ROUTE_KEYS = ["default", "ir", "cr", "kur", "p10cr", "rr", "genm"];

/** Routes of one profile by key: a body type, `genm:<infoType OID>`, or `default` for the rest. */
const ProfileRoutes = z.record(z.string(), RouteSchema).superRefine((routes, ctx) => {
  for (const k of Object.keys(routes)) {
    if (ROUTE_KEYS.includes(k) || (k.startsWith("genm:") && DOTTED_OID.test(k.slice(5)))) continue;
    ctx.addIssue({
      code: "custom",
      path: [k],
      message: `"${k}" is not a route: use ir, cr, kur, p10cr, rr, genm, genm:<infoType OID> or default`,
    });
  }
});

export const RaSectionSchema = z
  .object({
    /** The RA's CMP signer: its certificate should carry id-kp-cmcRA (RFC 6402). */
    signer: z.object({ certificate: pemFile, key: pemFile, chain: z.array(pemFile).default([]) }).strict(),
    /**
     * A key generation authority at the RA (RFC 9483 §4.1.6): central key generation requests get their key
     * here; the certificate (id-kp-cmKGA) signs the key package, `keyType` is generated when none is asked.
     */
    kga: z
      .object({
        certificate: pemFile,
        key: pemFile,
        keyType: z.string().min(1).default("ec-p256"),
        passwordKeyWrap: z.enum(["aes-kw", "pwri-kek"]).default("aes-kw"),
      })
      .strict()
      .optional(),
    trust: z
      .object({
        /** Anchors of the PKI's own certificates (kur, cr, rr protected by an issued certificate). */
        issuing: z.array(pemFile).default([]),
        /** Manufacturer anchors (IDevID, RFC 9483 §4.1.1). */
        external: z.array(pemFile).default([]),
        /** Downstream LRAs / RAs (their CMP signer certificates). */
        ras: z.array(pemFile).default([]),
      })
      .strict()
      .default({ issuing: [], external: [], ras: [] }),
    upstreams: z.record(z.string().min(1), UpstreamSchema),
    defaultProfile: z.string().min(1).default("default"),
    /** Defaults of every route, overridden per profile and body type. */
    defaults: RouteSchema.default({}),
    /** Routes per certificate profile, then per body type (or `default`). */
    profiles: z.record(z.string().min(1), ProfileRoutes).default({}),
    /** An inventory / authorization hook: an executable, or an HTTP(S) URL answering JSON. */
    hook: z
      .object({
        exec: z.string().min(1).optional(),
        url: z.string().url().optional(),
        timeout: duration.default(10_000),
      })
      .strict()
      .refine((h) => (h.exec === undefined) !== (h.url === undefined), {
        message: "a hook names exactly one of exec or url",
      })
      .optional(),
    policy: z
      .object({
        messageTimeSkew: duration.default(600_000),
        pollInterval: duration.default(5_000),
        transactionWait: duration.default(3_600_000),
        approvalWait: duration.default(604_800_000),
        genmCache: duration.default(3_600_000),
        maxMacIterations: z.number().int().positive().default(100_000),
      })
      .strict()
      .default({
        messageTimeSkew: 600_000,
        pollInterval: 5_000,
        transactionWait: 3_600_000,
        approvalWait: 604_800_000,
        genmCache: 3_600_000,
        maxMacIterations: 100_000,
      }),
  })
  .strict();
export type RaSection = z.infer<typeof RaSectionSchema>;
