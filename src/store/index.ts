// Public entry of the store (`lwcmp/store`): the persistence interface and openStore for
// sqlite:PATH, sqlite::memory: and postgres:// URLs.
export { openStore } from "./open.js";
export {
  ConcurrentUpdateError,
  DuplicateSerialError,
  StoreError,
  TransactionIdInUseError,
  type ApprovalRecord,
  type CertificateRecord,
  type NewTransaction,
  type Store,
  type TransactionPatch,
  type TransactionRecord,
} from "./store.js";
