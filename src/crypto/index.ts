// Public entry of the crypto layer: algorithm registry and key handles on node:crypto.
export * from "./errors.js";
export * from "./registry.js";
export * from "./keys.js";
export * from "./spki-form.js";
export * from "./digest.js";
export * from "./signature.js";
export * from "./mac.js";
export * from "./kdf.js";
export * from "./cipher.js";
export * from "./kem.js";
export * from "./composite-sig.js";
export * from "./composite-kem.js";
export * from "./public-random.js";
