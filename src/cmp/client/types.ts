// What a client session is given: the protection credential of the end entity (or RA) and what it
// trusts for the server's answers.
import type { PrivateKey } from "../../crypto/index.js";
import type { CertEntry } from "../../pki/path.js";

export type ClientCredential =
  | {
      kind: "mac";
      reference: string | Uint8Array;
      secret: Uint8Array;
      algorithm?: "pbm" | "pbmac1";
      iterations?: number;
    }
  | { kind: "signature"; key: PrivateKey; certificate: Uint8Array; chain?: Uint8Array[] }
  /** A KEM certificate (ML-KEM): each transaction starts with a KemCiphertextInfo exchange (RFC 9810 §5.1.3.4). */
  | { kind: "kem"; key: PrivateKey; certificate: Uint8Array; chain?: Uint8Array[] };

/** What the client trusts for the server's protection certificate. */
export interface ServerTrust {
  /** Trust anchors. */
  anchors: readonly CertEntry[];
  /** Further certificates that may help build chains. */
  untrusted: readonly CertEntry[];
  /** The server's protection certificate, trusted as it is (openssl's -srvcert). */
  serverCert?: CertEntry;
}

/** Sends one DER request and returns the DER answer (HTTP, file, or in-process). */
export type SendFunction = (request: Uint8Array, operation: string) => Promise<Uint8Array>;
