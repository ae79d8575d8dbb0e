// Value types shared by the configuration schemas: durations and dotted OIDs.
import { z } from "zod";

/** A duration: a number of seconds, or digits with ms, s, m, h or d; in milliseconds once parsed. */
export const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v === "string" && /^\d+(ms|s|m|h|d)$/.test(v)) return parseDuration(v);
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(v)} is not a duration: give seconds (30) or a number with ms, s, m, h or d (30s, 5m, 365d)`,
  });
  return z.NEVER;
});

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
}

export const DOTTED_OID = /^[0-2](\.(0|[1-9]\d*))+$/;
