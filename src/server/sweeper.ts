// Periodic CA housekeeping: unconfirmed certificates past confirmWaitTime are revoked, expired state dropped.
import type { CertificateAuthority } from "../ca/authority.js";
import type { LogEvent } from "./log.js";

/** Every half confirmWaitTime, between 1 s and 1 min: any replica may run it (state lives in the store). */
export function sweepInterval(confirmWaitTimeMs: number): number {
  return Math.min(60_000, Math.max(1000, confirmWaitTimeMs / 2));
}

/** Starts the sweeper; the returned function stops it. It never keeps the process alive on its own. */
export function startSweeper(
  ca: Pick<CertificateAuthority, "sweep">,
  everyMs: number,
  log: (e: LogEvent) => void,
): () => void {
  const timer = setInterval(
    () => void ca.sweep().catch((e: unknown) => log({ event: "sweep-failed", detail: String(e) })),
    everyMs,
  );
  timer.unref();
  return () => clearInterval(timer);
}
