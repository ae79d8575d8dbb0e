// The requesting side of CMP: a session per transaction, answer verification and polling.
export * from "./errors.js";
export * from "./poll.js";
export * from "./session.js";
export * from "./types.js";
export * from "./verify.js";
