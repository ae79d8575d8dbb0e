// Typed failures of the crypto layer.
export class UnsupportedAlgorithmError extends Error {
  override readonly name = "UnsupportedAlgorithmError";
  constructor(
    readonly oid: string,
    message?: string,
  ) {
    super(message ?? `unsupported algorithm ${oid}`);
  }
}

/** A key that does not fit an operation, or input the primitive rejects. */
export class CryptoError extends Error {
  override readonly name = "CryptoError";
}
