import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchConditionally } from './feed-fetch.ts';

const FEED = '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>';
const ETAG = '"v1"';
const LAST_MODIFIED = 'Wed, 14 Jan 2026 06:00:00 GMT';

/** What each path of the loopback server does. */
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/feed': (req, res) => {
    if (req.headers['if-none-match'] === ETAG || req.headers['if-modified-since'] === LAST_MODIFIED) {
      res.writeHead(304, { etag: ETAG }).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/atom+xml', etag: ETAG, 'last-modified': LAST_MODIFIED })
      .end(FEED);
  },
  '/echo-agent': (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers['user-agent'] ?? '');
  },
  '/304-always': (_req, res) => {
    res.writeHead(304).end();
  },
  '/error': (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
  },
  '/big-declared': (_req, res) => {
    res.writeHead(200, { 'content-length': String(2_000_000) });
    res.end(Buffer.alloc(2_000_000, 0x20));
  },
  '/big-streamed': (_req, res) => {
    // Chunked, no Content-Length: only counting the bytes as they come can stop it.
    res.writeHead(200, { 'content-type': 'application/atom+xml' });
    let sent = 0;
    const more = () => {
      while (sent < 50_000_000) {
        sent += 64 * 1024;
        if (!res.write(Buffer.alloc(64 * 1024, 0x20))) {
          res.once('drain', more);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {});
    more();
  },
  '/silent': () => {
    // Never answers.
  },
  '/drip': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/atom+xml' });
    res.write('<feed');
    // …and nothing more.
  },
  '/redirect-1': (_req, res) => {
    res.writeHead(302, { location: '/feed' }).end();
  },
  '/redirect-3': (_req, res) => {
    res.writeHead(301, { location: '/redirect-2' }).end();
  },
  '/redirect-2': (_req, res) => {
    res.writeHead(307, { location: `${baseUrl}/redirect-1` }).end();
  },
  '/redirect-loop': (_req, res) => {
    res.writeHead(302, { location: '/redirect-loop' }).end();
  },
  '/redirect-to-file': (_req, res) => {
    res.writeHead(302, { location: 'file:///etc/passwd' }).end();
  },
};

let server: Server;
let baseUrl = '';
let requests: { path: string; headers: IncomingMessage['headers'] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const at = (path: string) => `${baseUrl}${path}`;

describe('fetchConditionally', () => {
  it('fetches with the validators of the answer, then gets not_modified with If-None-Match', async () => {
    const first = await fetchConditionally(at('/feed'), null);
    expect(first).toEqual({
      status: 'fetched',
      body: new TextEncoder().encode(FEED),
      contentType: 'application/atom+xml',
      validators: { etag: ETAG, lastModified: LAST_MODIFIED },
    });
    requests = [];
    const validators = first.status === 'fetched' ? first.validators : null;
    expect(await fetchConditionally(at('/feed'), validators)).toEqual({ status: 'not_modified' });
    expect(requests[0]?.headers).toMatchObject({ 'if-none-match': ETAG, 'if-modified-since': LAST_MODIFIED });
  });

  it('sends If-Modified-Since alone when there is no ETag', async () => {
    requests = [];
    const outcome = await fetchConditionally(at('/feed'), { etag: null, lastModified: LAST_MODIFIED });
    expect(outcome).toEqual({ status: 'not_modified' });
    expect(requests[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('does not take a 304 for "unchanged" when it asked nothing conditional', async () => {
    expect(await fetchConditionally(at('/304-always'), null)).toEqual({
      status: 'failed',
      reason: 'HTTP 304 to a request that was not conditional',
      httpStatus: 304,
    });
  });

  it('sends the User-Agent it is given', async () => {
    const outcome = await fetchConditionally(at('/echo-agent'), null, { userAgent: 'EW4E-test/1' });
    expect(outcome.status === 'fetched' && new TextDecoder().decode(outcome.body)).toBe('EW4E-test/1');
  });

  it('fails on HTTP 500 and 404 with the status', async () => {
    expect(await fetchConditionally(at('/error'), null)).toEqual({
      status: 'failed',
      reason: 'HTTP 500 Internal Server Error',
      httpStatus: 500,
    });
    expect(await fetchConditionally(at('/nowhere'), null)).toMatchObject({
      status: 'failed',
      httpStatus: 404,
    });
  });

  it('fails on a body over the limit, whether declared or streamed, without reading it all', async () => {
    expect(await fetchConditionally(at('/big-declared'), null, { maxBytes: 1_000_000 })).toEqual({
      status: 'failed',
      reason: 'body of 2000000 bytes is more than the 1000000 allowed',
      httpStatus: 200,
    });
    const started = Date.now();
    expect(await fetchConditionally(at('/big-streamed'), null)).toEqual({
      status: 'failed',
      reason: 'body is more than the 5242880 bytes allowed',
      httpStatus: 200,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails when the server does not answer in time, or stops half-way', async () => {
    for (const path of ['/silent', '/drip']) {
      const started = Date.now();
      expect(await fetchConditionally(at(path), null, { timeoutMs: 300 })).toEqual({
        status: 'failed',
        reason: 'no complete answer within 300 ms',
        httpStatus: null,
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  });

  it('follows up to three redirects, relative or absolute', async () => {
    expect(await fetchConditionally(at('/redirect-1'), null)).toMatchObject({ status: 'fetched' });
    expect(await fetchConditionally(at('/redirect-3'), null)).toMatchObject({ status: 'fetched' });
    expect(await fetchConditionally(at('/redirect-loop'), null)).toEqual({
      status: 'failed',
      reason: 'more than 3 redirects',
      httpStatus: 302,
    });
  });

  it('fetches only http and https, on the first hop and after a redirect', async () => {
    expect(await fetchConditionally('file:///etc/passwd', null)).toEqual({
      status: 'failed',
      reason: 'only http and https URLs are fetched, not file: (file:///etc/passwd)',
      httpStatus: null,
    });
    expect(await fetchConditionally(at('/redirect-to-file'), null)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^only http and https URLs are fetched, not file:/),
    });
    expect(await fetchConditionally('not a url', null)).toMatchObject({ status: 'failed', httpStatus: null });
  });

  it('fails with the network cause when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await fetchConditionally(`http://127.0.0.1:${port}/feed`, null)).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^request to http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/),
      httpStatus: null,
    });
  });
});
