import { methodNotAllowed, recordSignatureAction } from '~/http/osdi-api.server'

/** OSDI's record_signature_helper: POST a person, get a pending signature (decision 0014). */
export const loader = methodNotAllowed('POST')
export const action = recordSignatureAction
