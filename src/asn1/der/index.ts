// Fast DER path: zero-copy strict reader and back-patching writer for the hot structures.
export { DerReader, DerSyntaxError, readWhole, type DerElement } from "./reader.js";
export { DerWriter } from "./writer.js";
export { contextTagged, readPKIHeader } from "./pki-header.js";
export { writePKIHeader } from "./pki-header-writer.js";
export { algorithmDer } from "./algorithm.js";
export { noteReceived, receivedDer } from "./received.js";
export { writeCertRepBody } from "./cert-rep-writer.js";
export { oidDer, oidText } from "./oid.js";
