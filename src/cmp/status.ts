// PKIStatusInfo construction and reading (RFC 9810 §5.2.3).
import { PKIFreeText, PKIStatus, PKIStatusInfo } from "../asn1/cmp.js";
import { decodeFailInfo, encodeFailInfo, type FailInfo } from "./failinfo.js";

/** The PKIStatus names by value, from the enum's reverse mapping. */
export const PKIStatusNames: Readonly<Record<number, string>> = Object.fromEntries(
  Object.values(PKIStatus)
    .filter((v): v is PKIStatus => typeof v === "number")
    .map((v) => [v, PKIStatus[v]]),
);

export function statusInfo(
  status: PKIStatus,
  opts: { text?: string | readonly string[]; failInfo?: readonly FailInfo[] } = {},
): PKIStatusInfo {
  const info = new PKIStatusInfo({ status });
  if (opts.text !== undefined) {
    const lines = typeof opts.text === "string" ? [opts.text] : [...opts.text];
    if (lines.length > 0) info.statusString = new PKIFreeText(lines);
  }
  if (opts.failInfo && opts.failInfo.length > 0) info.failInfo = encodeFailInfo(opts.failInfo);
  return info;
}

export interface StatusSummary {
  status: number;
  statusName: string;
  statusString: string[];
  failInfo: string[];
}

export function describeStatus(info: PKIStatusInfo): StatusSummary {
  return {
    status: info.status,
    statusName: PKIStatusNames[info.status] ?? `unknown(${info.status})`,
    statusString: info.statusString ? [...info.statusString] : [],
    failInfo: decodeFailInfo(info.failInfo),
  };
}

/** One line for humans: "rejection (badPOP): the signature POP does not verify". */
export function formatStatus(info: PKIStatusInfo): string {
  const s = describeStatus(info);
  const fi = s.failInfo.length ? ` (${s.failInfo.join(", ")})` : "";
  const text = s.statusString.length ? `: ${s.statusString.join("; ")}` : "";
  return `${s.statusName}${fi}${text}`;
}
