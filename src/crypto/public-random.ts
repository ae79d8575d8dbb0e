// Random bytes for values that are public once sent (senderNonces, transactionIDs, serial numbers, salts):
// node:crypto's CSPRNG filled in 4 KiB blocks and handed out in slices, one call into it per block instead
// of one per value. Keys, IVs and other secrets keep their own randomBytes calls.
import { randomFillSync } from "node:crypto";

const BLOCK = 4096;
let pool = new Uint8Array(0);
let used = 0;

/** `n` fresh random bytes (a copy: no two callers share any byte). */
export function publicRandom(n: number): Uint8Array {
  if (n > BLOCK) return randomFillSync(new Uint8Array(n));
  if (used + n > pool.length) {
    pool = randomFillSync(new Uint8Array(BLOCK));
    used = 0;
  }
  const out = pool.slice(used, used + n);
  // The bytes handed out are wiped from the pool.
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
