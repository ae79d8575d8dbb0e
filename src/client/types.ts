// The public shapes of the CMP client: options, enrollment request and result, and the context the
// operation modules share.
import type { GeneralName, Name } from "@peculiar/asn1-x509";
import type { ClientCredential, SendFunction } from "../cmp/client/types.js";
import type { PrivateKey } from "../crypto/index.js";
import type { CrlCheckOptions } from "./crl-check.js";
import type { OcspCheckOptions } from "./ocsp-check.js";

export type { ClientCredential } from "../cmp/client/types.js";

export interface CmpClientOptions {
  /** Sends one DER request and returns the DER answer (HTTP, file, or in-process). */
  send: SendFunction;
  credential: ClientCredential;
  /** Trust anchors for the server's protection certificate and the issued certificates. */
  trusted?: Uint8Array[];
  /** Further certificates that may help build chains. */
  untrusted?: Uint8Array[];
  /** The server's protection certificate, trusted as it is (openssl's -srvcert). */
  serverCert?: Uint8Array;
  /** The CA's name for the recipient field (NULL-DN when unknown). */
  recipient?: string | Name;
  /** Sender name; default: subject of the signing certificate, else NULL-DN. */
  sender?: string | Name;
  /** Ask for implicit confirmation (RFC 9483 §4.1.1). */
  implicitConfirm?: boolean;
  /** Certificate profile to name in generalInfo (RFC 9483 §4.1). */
  certProfile?: string;
  /** Bound on the total time spent polling, ms (default 5 minutes). */
  totalTimeoutMs?: number;
  /** Called while waiting: seconds until the next poll and the server's reason. */
  onProgress?: (info: { checkAfter: number; elapsedMs: number; reason?: string }) => void;
  /** Accept the CA root from caPubs of a MAC-protected ip when no trust anchor is configured (RFC 9483 §4.1.5). */
  trustCaPubsFromMac?: boolean;
  /** The clock for certificate validation, messageTime checks and the polling deadline (default: the system clock). */
  now?: () => Date;
  /** Waits between polls (RFC 9483 §4.4); default a timer. Tests inject one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Check issued certificates against CRLs (given, or from their distribution points). */
  crlCheck?: CrlCheckOptions;
  /** Check issued certificates with OCSP at the responder their authorityInfoAccess names (RFC 6960). */
  ocspCheck?: OcspCheckOptions;
  /** Largest accepted |messageTime - now| of an answer, ms (RFC 9483 §3.1; default 10 minutes); null: not checked. */
  maxClockSkewMs?: number | null;
  /** Report an answer that fails our checks to the server with an error message (RFC 9483 §3.6.1; default true). */
  reportErrors?: boolean;
}

export interface EnrollResult {
  certificate: Uint8Array;
  /** Chain of the certificate from extraCerts/caPubs, without the certificate itself. */
  chain: Uint8Array[];
  caPubs: Uint8Array[];
  status: string;
  implicitlyConfirmed: boolean;
  transactionId: string;
  /** Central key generation: the key the KGA generated, decrypted and checked. */
  privateKey?: PrivateKey;
}

export interface EnrollRequest {
  subject?: string | Name;
  /** The key to certify; its private half signs the POP. Omit it for central key generation. */
  newKey?: PrivateKey;
  /**
   * An RA acting for an end entity (RFC 9483 §5.3.1): the SubjectPublicKeyInfo (DER) to certify, whose
   * possession the RA verified itself; the request carries popo raVerified (RFC 9483 §5.2.3.2).
   */
  raVerifiedKey?: Uint8Array;
  /** Central key generation (RFC 9483 §4.1.6): the key type to ask for (else the CA's profile decides). */
  centralKeyType?: string;
  dnsNames?: string[];
  /** subjectAltNames of any kind (DNS, IP, e-mail, URI, ...); used instead of dnsNames when given. */
  subjectAltNames?: GeneralName[];
  notAfter?: Date;
  /** kur: the certificate being updated (defaults to the signature credential's certificate). */
  oldCertificate?: Uint8Array;
}
