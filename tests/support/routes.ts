/** Calls a route's loader or action the way Remix does and normalises what it returns or throws. */
export async function callRoute(
  fn: (args: any) => Promise<unknown>,
  {
    url,
    method = 'GET',
    body,
    headers = {},
    params = {},
    ip = '192.0.2.10',
    socketIp = ip,
  }: { url: string; method?: string; body?: BodyInit; headers?: Record<string, string>; params?: Record<string, string>; ip?: string; socketIp?: string },
) {
  const request = new Request(new URL(url, 'http://localhost:3000'), {
    method,
    body,
    headers: body && typeof body === 'string' ? { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } : headers,
  })
  let outcome: unknown
  try {
    outcome = await fn({ request, params, context: { ip, socketIp, cspNonce: 'test' } })
  } catch (thrown) {
    outcome = thrown
  }
  if (outcome instanceof Response) {
    const text = await outcome.text()
    let json: any
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: outcome.status, headers: outcome.headers, data: json, text }
  }
  if (outcome && typeof outcome === 'object' && (outcome as any).type === 'DataWithResponseInit') {
    const { data, init } = outcome as { data: any; init?: ResponseInit | null }
    return { status: init?.status ?? 200, headers: new Headers(init?.headers), data, text: '' }
  }
  if (outcome instanceof Error) throw outcome
  return { status: 200, headers: new Headers(), data: outcome as any, text: '' }
}

export const form = (values: Record<string, string>) => new URLSearchParams(values).toString()
