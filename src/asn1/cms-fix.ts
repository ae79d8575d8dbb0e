// RFC 5652 §10.2 / RFC 3211: PasswordRecipientInfo.keyDerivationAlgorithm is [0] IMPLICIT (the CMS
// module uses IMPLICIT TAGS); @peculiar/asn1-cms declares it explicit, which other CMS
// implementations reject. The property is declared again here, before any encoding happens.
import { AsnProp } from "@peculiar/asn1-schema";
import { KeyDerivationAlgorithmIdentifier, PasswordRecipientInfo } from "@peculiar/asn1-cms";

AsnProp({ type: KeyDerivationAlgorithmIdentifier, context: 0, implicit: true, optional: true })(
  PasswordRecipientInfo.prototype,
  "keyDerivationAlgorithm",
);
