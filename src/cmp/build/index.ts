// Builders for every request and response body (RFC 9483 §4, RFC 9810 §5.3) and the generalInfo they use.
export * from "./crmf.js";
export * from "./general-info.js";
export * from "./request.js";
export * from "./response.js";
