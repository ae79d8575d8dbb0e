// CMP HTTP paths (RFC 9483 §6.1, RFC 9811 §3.6): /.well-known/cmp[/p/<label>][/<operation>].
/** Operation path segments registered by RFC 9483 §6.1 (IANA "CMP Well-Known URI Path Segments"). */
export const CMP_OPERATIONS = [
  "initialization",
  "certification",
  "keyupdate",
  "pkcs10",
  "revocation",
  "getcacerts",
  "getrootupdate",
  "getcertreqtemplate",
  "getcrls",
  "nested",
] as const;
export type CmpOperation = (typeof CMP_OPERATIONS)[number];

export const WELL_KNOWN_CMP = "/.well-known/cmp";

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/;

export interface CmpPath {
  profile?: string;
  operation?: string;
}

/**
 * Parses a request path; undefined when it is not a CMP path. "/" counts as /.well-known/cmp. An operation must be one of
 * `operations` (default CMP_OPERATIONS; extensions such as "getnonce" can be added).
 */
export function parseCmpPath(
  pathname: string,
  operations: readonly string[] = CMP_OPERATIONS,
): CmpPath | undefined {
  // "/" is served like /.well-known/cmp: clients such as `openssl cmp` post there unless given a path.
  if (pathname === "/") return {};
  if (pathname !== WELL_KNOWN_CMP && !pathname.startsWith(`${WELL_KNOWN_CMP}/`)) return undefined;
  const rest = pathname.slice(WELL_KNOWN_CMP.length).replace(/\/$/, "");
  if (rest === "") return {};
  const segs = rest.slice(1).split("/");
  let profile: string | undefined;
  if (segs[0] === "p") {
    if (segs.length < 2 || !LABEL.test(segs[1]!)) return undefined;
    profile = segs[1];
    segs.splice(0, 2);
  }
  if (segs.length === 0) return { profile };
  if (segs.length !== 1 || !operations.includes(segs[0]!)) return undefined;
  return { profile, operation: segs[0] };
}

export function cmpPath(profile?: string, operation?: string): string {
  return `${WELL_KNOWN_CMP}${profile ? `/p/${profile}` : ""}${operation ? `/${operation}` : ""}`;
}
