/**
 * @module Fetches a federated CAP feed or CAP document over HTTP(S): conditional GET (RFC 9110 §13.1.1–2,
 * ETag / Last-Modified), a time limit, a streamed size limit and at most three redirects.
 */

import { DEFAULT_MAX_FEED_BYTES } from './cap-feed-reader.ts';

export interface FeedValidators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export type FetchOutcome =
  | { readonly status: 'not_modified' }
  | {
      readonly status: 'fetched';
      readonly body: Uint8Array;
      readonly contentType: string | null;
      readonly validators: FeedValidators;
    }
  | { readonly status: 'failed'; readonly reason: string; readonly httpStatus: number | null };

export interface FetchOptions {
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly userAgent?: string;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
export const MAX_REDIRECTS = 3;
const DEFAULT_USER_AGENT = 'EW4E-federation/0.1 (CAP feed reader)';
/** Feeds and CAP first; anything else is still read (many servers say text/xml or even text/plain). */
const ACCEPT =
  'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const failed = (reason: string, httpStatus: number | null = null): FetchOutcome => ({
  status: 'failed',
  reason,
  httpStatus,
});

/** Conditional GET (If-None-Match / If-Modified-Since), a time limit (default 15 s), a size limit (default 5 MiB, streamed: stop reading beyond it), only http/https URLs, redirects followed at most 3 times. */
export async function fetchConditionally(
  url: string,
  validators: FeedValidators | null,
  options: FetchOptions = {},
): Promise<FetchOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FEED_BYTES;
  const headers: Record<string, string> = {
    accept: ACCEPT,
    'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
  };
  if (validators?.etag) headers['if-none-match'] = validators.etag;
  if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
  const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;

  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return failed(`"${url}" is not an absolute URL`);
  }
  // One deadline for every hop and the whole body: a slow-drip server cannot hold a poller.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for (let redirects = 0; ; redirects++) {
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        return failed(`only http and https URLs are fetched, not ${target.protocol} (${target.href})`);
      }
      // Redirects by hand: to count them and to check the scheme of every hop.
      const response = await fetch(target, { headers, redirect: 'manual', signal });
      const { status } = response;
      if (REDIRECT_STATUSES.has(status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (location === null) return failed(`HTTP ${status} redirect without a Location`, status);
        if (redirects >= MAX_REDIRECTS) return failed(`more than ${MAX_REDIRECTS} redirects`, status);
        target = new URL(location, target);
        continue;
      }
      if (status === 304) {
        await response.body?.cancel();
        return conditional
          ? { status: 'not_modified' }
          : failed('HTTP 304 to a request that was not conditional', 304);
      }
      if (status < 200 || status > 299) {
        await response.body?.cancel();
        return failed(`HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`, status);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxBytes) {
        await response.body?.cancel();
        return failed(`body of ${declared} bytes is more than the ${maxBytes} allowed`, status);
      }
      const body = await readAtMost(response.body, maxBytes);
      if (body === null) return failed(`body is more than the ${maxBytes} bytes allowed`, status);
      return {
        status: 'fetched',
        body,
        contentType: response.headers.get('content-type'),
        validators: {
          etag: response.headers.get('etag'),
          lastModified: response.headers.get('last-modified'),
        },
      };
    }
  } catch (error) {
    if (signal.aborted) return failed(`no complete answer within ${timeoutMs} ms`);
    return failed(`request to ${target.origin} failed: ${describeError(error)}`);
  }
}

/** The body, or null as soon as it grows beyond maxBytes (then the rest is never downloaded). */
async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | null> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** undici says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, TLS) is in `cause`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
