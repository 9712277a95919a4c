/** The dashboard's one way to call the platform: same origin, the session cookie, and the CSRF token on every change. */

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** An RFC 9457 problem the API answered with, kept whole so forms can point at the field. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: { title?: string; detail?: string; errors?: { pointer?: string; reason?: string }[] };
  constructor(status: number, problem: ApiError['problem']) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const { status, text } = await request(method, path, body);
  if (status === 204) return undefined as T;
  return (text === '' ? {} : JSON.parse(text)) as T;
}

/** The body as text, for a caller that hands it on unparsed (the map's worker parses big layers itself). */
export const getText = async (path: string): Promise<string> => (await request('GET', path)).text;

async function request(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = response.status === 204 ? '' : await response.text();
  if (!response.ok) throw new ApiError(response.status, text === '' ? {} : JSON.parse(text));
  return { status: response.status, text };
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const remove = <T>(path: string) => api<T>('DELETE', path);
