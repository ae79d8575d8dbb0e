// The inventory / authorization hook of an RA as an operator configures it (RFC 9483 §5.2: "consulting
// an inventory or asset management system"): an executable reading JSON on stdin, or an HTTP(S) webhook.
// Both get the same JSON request and answer {"decision":"approve"|"reject"|"modify", "reason", "subject"}.
import { spawn } from "node:child_process";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CertTemplate } from "../asn1/crmf.js";
import { decodePKIMessage } from "../cmp/message.js";
import { parseName } from "../pki/names.js";
import type { HookDecision, HookRequest, InventoryHook } from "../ra/types.js";

/** What the hook is sent: the HookRequest with the message in base64. */
export function hookJson(r: HookRequest): string {
  return JSON.stringify({ ...r, message: Buffer.from(r.message).toString("base64") });
}

/** The hook's JSON answer as a decision; anything else rejects (the hook fails closed). */
export function parseHookAnswer(text: string, r: HookRequest): HookDecision {
  let a: unknown;
  try {
    a = JSON.parse(text);
  } catch {
    return { decision: "reject", reason: "the inventory check gave no valid answer" };
  }
  const o = (typeof a === "object" && a !== null ? a : {}) as Record<string, unknown>;
  if (o.decision === "approve") return { decision: "approve" };
  if (o.decision === "reject") {
    return {
      decision: "reject",
      reason: typeof o.reason === "string" ? o.reason : "refused by the inventory",
    };
  }
  if (o.decision === "modify" && typeof o.subject === "string") {
    const template = requestTemplate(r);
    if (template) {
      try {
        template.subject = parseName(o.subject);
        return { decision: "modify", template };
      } catch {
        return { decision: "reject", reason: "the inventory named an unusable subject" };
      }
    }
  }
  return { decision: "reject", reason: "the inventory check gave no valid answer" };
}

/** A copy of the template of the request's first certificate request (ir, cr, kur). */
function requestTemplate(r: HookRequest): CertTemplate | undefined {
  const body = decodePKIMessage(r.message).message.body;
  const msgs = body.ir ?? body.cr ?? body.kur;
  const t = msgs?.[0]?.certReq.certTemplate;
  return t ? AsnConvert.parse(AsnConvert.serialize(t), CertTemplate) : undefined;
}

/** Runs `file` per request with the JSON on stdin; its stdout is the answer; exit code other than 0 rejects. */
export function execHook(file: string, timeoutMs: number): InventoryHook {
  return (r) =>
    new Promise((resolve) => {
      const child = spawn(file, [], { stdio: ["pipe", "pipe", "ignore"], timeout: timeoutMs });
      const out: Buffer[] = [];
      let size = 0;
      child.stdout.on("data", (b: Buffer) => {
        size += b.length;
        if (size <= 65_536) out.push(b);
      });
      child.on("error", () => resolve({ decision: "reject", reason: "the inventory check could not run" }));
      child.on("close", (code) => {
        if (code !== 0) resolve({ decision: "reject", reason: "refused by the inventory check" });
        else resolve(parseHookAnswer(Buffer.concat(out).toString("utf8"), r));
      });
      child.stdin.on("error", () => undefined);
      child.stdin.end(hookJson(r));
    });
}

/** POSTs the JSON to `url`; a non-2xx status or a timeout rejects. */
export function webhookHook(url: string, timeoutMs: number): InventoryHook {
  return async (r) => {
    try {
      const rsp = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: hookJson(r),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!rsp.ok)
        return { decision: "reject", reason: `refused by the inventory check (HTTP ${rsp.status})` };
      return parseHookAnswer(await rsp.text(), r);
    } catch {
      return { decision: "reject", reason: "the inventory check could not be reached" };
    }
  };
}
