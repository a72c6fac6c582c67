import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { collectionResource, listConfirmedSignatures, signatureResource } from '~/models/osdi.server'
import { getEnv } from '~/utils/env.server'
import { canonicalUrl, hal, methodNotAllowed, readPaging, recordSignatureAction, requireApiClient, requirePetition, withCuries } from '~/http/osdi-api.server'

/** A petition's confirmed signatures, paged in the order they were confirmed. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { client, locale } = await requireApiClient(request, 'read')
  const petition = await requirePetition(client, params.petitionId, locale)
  const paging = readPaging(request, locale)
  const appUrl = getEnv().APP_URL
  const page = await listConfirmedSignatures(client.organisation.id, petition.id, paging, { emails: client.crmSync })
  const signatures = page.items.map((row) => signatureResource(appUrl, row))
  return hal(withCuries(collectionResource(canonicalUrl(request), page, 'signatures', signatures)))
}

/** POSTing a person here records a signature, as Action Network's API does. */
export async function action(args: ActionFunctionArgs) {
  if (args.request.method !== 'POST') return methodNotAllowed('GET, HEAD, POST')(args)
  return recordSignatureAction(args)
}
