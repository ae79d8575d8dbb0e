// Runs every benchmark in one process: `npm run bench` (enrollment rates for EC P-256, ML-DSA-65 and
// one composite ML-DSA combination, each next to its own crypto-only ceiling).
await import("./parse-verify.js");
const { benchEnroll } = await import("./enroll.js");
for (const alg of ["ec-p256", "ml-dsa-65", "composite:MLDSA65-ECDSA-P256-SHA512"]) await benchEnroll(alg);
