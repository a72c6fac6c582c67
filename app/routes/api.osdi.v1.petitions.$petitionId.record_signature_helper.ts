import { methodNotAllowed, recordSignatureAction } from '~/http/osdi-api.server'

/** The helper where the OSDI specification's examples put it; the same as .../signatures/record_signature_helper. */
export const loader = methodNotAllowed('POST')
export const action = recordSignatureAction
