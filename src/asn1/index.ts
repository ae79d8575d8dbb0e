// Public entry of the asn1 layer: CMP, CRMF and ITAV schemas and the OID constants.
export * from "./oids.js";
export * from "./crmf.js";
export * from "./cmp.js";
export * from "./itav.js";
export * from "./pkcs5.js";
export * from "./cms-auth.js";
