// Scheduled CRL publication beside the sweeper: a tick publishes when the interval has passed or a
// certificate was revoked since the last CRL (when publishOnRevoke); kick() ticks soon after a revocation.
import type { CrlPublisher } from "../ca/crl/publisher.js";
import type { LogEvent } from "./log.js";

/** How often the publisher checks whether a CRL is due: every 5 s with publishOnRevoke, else 1 min. */
export function crlTickInterval(p: Pick<CrlPublisher, "policy">): number {
  const check = p.policy.publishOnRevoke ? 5_000 : 60_000;
  return Math.max(1000, Math.min(check, p.policy.intervalMs));
}

export interface CrlTimer {
  /** Checks (soon) whether a CRL is due, e.g. after a revocation. */
  kick(): void;
  stop(): void;
}

/** Starts periodic publication (a first check at once); it never keeps the process alive on its own. */
export function startCrlTimer(pub: CrlPublisher, everyMs: number, log: (e: LogEvent) => void): CrlTimer {
  let busy = false;
  let again = false;
  const tick = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    void pub
      .tick(new Date())
      .catch((e: unknown) => log({ event: "crl-publication-failed", detail: String(e) }))
      .finally(() => {
        busy = false;
        if (again) {
          again = false;
          tick();
        }
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  let soon: NodeJS.Timeout | undefined;
  tick();
  return {
    // The revocation's unit of work commits after its log line: look a moment later.
    kick: () => {
      if (soon) return;
      soon = setTimeout(() => {
        soon = undefined;
        tick();
      }, 250);
      soon.unref();
    },
    stop: () => {
      clearInterval(timer);
      if (soon) clearTimeout(soon);
    },
  };
}
