// The RA / LRA role (RFC 9483 §5): public API.
export { RegistrationAuthority, type RegistrationAuthorityOptions } from "./authority.js";
export { enrollForKey, enrollFromCsr, revokeOnBehalf, type ActingOptions } from "./on-behalf.js";
export type { ForwardMode, RaPolicy, RaRoute, UpstreamPolicy } from "./policy.js";
export type * from "./types.js";
