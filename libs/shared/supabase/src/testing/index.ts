/**
 * A fetch for supabase-js's `global.fetch` option that sends nothing: it keeps each request the
 * client builds and answers it with `answer` (default: 200 and an empty JSON array). For unit tests
 * of a query: no Supabase server runs in them.
 */
export function capturingFetch(answer: () => Response = () => jsonResponse([])) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push(new Request(input, init));
    return answer();
  };
  return { fetch, requests };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
