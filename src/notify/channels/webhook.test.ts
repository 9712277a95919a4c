import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { warningMessage } from './test-message.ts';
import { createWebhookChannel, generateWebhookSecret, retryAfterMs, signWebhook } from './webhook.ts';

/**
 * Standard Webhooks verification written from the specification, independently of webhook.ts:
 * key = base64 after `whsec_`; signed content `{id}.{timestamp}.{body}`; the header holds space-separated
 * `v1,<base64>` signatures, any of which may match; timestamps beyond 5 minutes either way are refused.
 */
function verifyStandardWebhook(
  secret: string,
  headers: IncomingHttpHeaders,
  body: string,
  nowS: number,
): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  const sentS = Number.parseInt(timestamp, 10);
  if (!Number.isFinite(sentS) || Math.abs(nowS - sentS) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((candidate) => {
    const [version, encoded] = candidate.split(',', 2);
    if (version !== 'v1' || encoded === undefined) return false;
    const given = Buffer.from(encoded, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Received {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Peer {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const servers: Server[] = [];

async function startPeer(respond: (res: ServerResponse) => void): Promise<Peer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      respond(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/ew4e`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhook channel', () => {
  it('POSTs the warning as JSON with Standard Webhooks headers and a signature a receiver verifies', async () => {
    const peer = await startPeer((res) => res.writeHead(204).end());
    const channel = createWebhookChannel({ secretFor: (target) => (target === peer.url ? SECRET : null) });
    const message = warningMessage({ msgType: 'Update' });

    const attempt = await channel.send(message, peer.url);

    expect(attempt).toMatchObject({ outcome: 'delivered', responseCode: 204, error: null });
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
    const [request] = peer.received;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe(message.deliveryId);
    const nowS = Math.floor(Date.now() / 1000);
    expect(Math.abs(Number(request?.headers['webhook-timestamp']) - nowS)).toBeLessThanOrEqual(2);
    expect(verifyStandardWebhook(SECRET, request!.headers, request!.body, nowS)).toBe(true);
    // The same request checked with another secret, a changed body or a stale clock fails.
    expect(verifyStandardWebhook(generateWebhookSecret(), request!.headers, request!.body, nowS)).toBe(false);
    expect(verifyStandardWebhook(SECRET, request!.headers, `${request!.body} `, nowS)).toBe(false);
    expect(verifyStandardWebhook(SECRET, request!.headers, request!.body, nowS + 301)).toBe(false);

    const payload = JSON.parse(request!.body);
    expect(payload).toMatchObject({
      type: 'warning.updated',
      id: message.deliveryId,
      data: {
        links: {
          xml: message.capUrl,
          json: message.jsonUrl,
          web: message.webUrl,
          acknowledge: message.acknowledgeUrl,
        },
        headline: message.headline,
        severity: 'Severe',
        urgency: 'Expected',
        certainty: 'Likely',
        hazard: 'air_pollution',
        language: 'en',
        areaDesc: message.areaDesc,
      },
    });
    expect(payload.data.cap).toEqual(message.cap);
    expect(new Date(payload.timestamp).getTime() / 1000).toBeCloseTo(
      Number(request?.headers['webhook-timestamp']),
      -1,
    );
  });

  it('names the event after msgType and keeps the webhook-id across retries', async () => {
    const peer = await startPeer((res) => res.writeHead(200).end('ok'));
    const channel = createWebhookChannel({ secretFor: () => SECRET });
    await channel.send(warningMessage({ msgType: 'Alert' }), peer.url);
    await channel.send(warningMessage({ msgType: 'Cancel' }), peer.url);
    await channel.send(warningMessage({ msgType: 'Cancel' }), peer.url);
    expect(peer.received.map((r) => JSON.parse(r.body).type)).toEqual([
      'warning.published',
      'warning.cancelled',
      'warning.cancelled',
    ]);
    expect(new Set(peer.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it('sends a digest as one signed warning.digest event carrying each warning as it would go alone', async () => {
    const peer = await startPeer((res) => res.writeHead(204).end());
    const channel = createWebhookChannel({ secretFor: () => SECRET });
    const items = [warningMessage({ warningId: 5, msgType: 'Update' }), warningMessage({ warningId: 6 })];
    const digest = {
      deliveryId: 'dgs_9_1772337600_5',
      digestAt: '2026-03-01T04:00:00.000Z',
      language: 'en',
      items,
      unsubscribeUrl: null,
    };
    expect(await channel.sendDigest(digest, peer.url)).toMatchObject({ outcome: 'delivered' });
    const [request] = peer.received;
    expect(request?.headers['webhook-id']).toBe('dgs_9_1772337600_5');
    const nowS = Math.floor(Date.now() / 1000);
    expect(verifyStandardWebhook(SECRET, request!.headers, request!.body, nowS)).toBe(true);
    const payload = JSON.parse(request!.body);
    expect(payload.type).toBe('warning.digest');
    expect(payload.id).toBe('dgs_9_1772337600_5');
    expect(payload.data.digestAt).toBe(digest.digestAt);
    expect(payload.data.items.map((i: { type: string }) => i.type)).toEqual([
      'warning.updated',
      'warning.published',
    ]);
    expect(payload.data.items[1].data.cap).toEqual(items[1]?.cap);
  });

  it('sends unsigned when the subscription has no secret', async () => {
    const peer = await startPeer((res) => res.writeHead(200).end());
    const attempt = await createWebhookChannel({ secretFor: () => null }).send(warningMessage(), peer.url);
    expect(attempt.outcome).toBe('delivered');
    expect(peer.received[0]?.headers['webhook-signature']).toBeUndefined();
    expect(peer.received[0]?.headers['webhook-id']).toBeDefined();
  });

  it('gives up on 410 Gone (and other 4xx): the same request will never succeed', async () => {
    const peer = await startPeer((res) => res.writeHead(410).end('gone'));
    const attempt = await createWebhookChannel({ secretFor: () => SECRET }).send(warningMessage(), peer.url);
    expect(attempt).toMatchObject({ outcome: 'failed', responseCode: 410, error: 'HTTP 410 Gone' });
    expect(attempt.retryAfterMs).toBeUndefined();
  });

  it('does not follow redirects', async () => {
    const peer = await startPeer((res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end());
    const attempt = await createWebhookChannel({ secretFor: () => SECRET }).send(warningMessage(), peer.url);
    expect(attempt).toMatchObject({ outcome: 'failed', responseCode: 302 });
    expect(peer.received).toHaveLength(1);
  });

  it.each([408, 429, 500, 502])('retries on %i', async (status) => {
    const peer = await startPeer((res) => res.writeHead(status).end());
    const attempt = await createWebhookChannel({ secretFor: () => SECRET }).send(warningMessage(), peer.url);
    expect(attempt).toMatchObject({ outcome: 'retry', responseCode: status });
  });

  it('retries on 503 and returns the wait asked for by Retry-After', async () => {
    const peer = await startPeer((res) => res.writeHead(503, { 'retry-after': '120' }).end());
    const attempt = await createWebhookChannel({ secretFor: () => SECRET }).send(warningMessage(), peer.url);
    expect(attempt).toMatchObject({ outcome: 'retry', responseCode: 503, retryAfterMs: 120_000 });
  });

  it('retries when the connection is refused', async () => {
    const peer = await startPeer((res) => res.end());
    await peer.close();
    const attempt = await createWebhookChannel({ secretFor: () => SECRET }).send(warningMessage(), peer.url);
    expect(attempt.outcome).toBe('retry');
    expect(attempt.responseCode).toBeNull();
    expect(attempt.error).toContain('ECONNREFUSED');
  });

  it('retries after a timeout when the receiver never answers', async () => {
    const silentPeer = await startPeer(() => undefined);
    const channel = createWebhookChannel({ secretFor: () => SECRET, timeoutMs: 200 });
    const attempt = await channel.send(warningMessage(), silentPeer.url);
    expect(attempt).toMatchObject({ outcome: 'retry', responseCode: null, error: 'timeout after 200 ms' });
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(150);
  });

  it('fails without a request for a target that is no HTTP URL or a secret that is no base64', async () => {
    const channel = createWebhookChannel({ secretFor: () => 'whsec_not base64!' });
    expect((await channel.send(warningMessage(), 'mailto:ops@example.org')).outcome).toBe('failed');
    expect((await channel.send(warningMessage(), 'not a url')).outcome).toBe('failed');
    const peer = await startPeer((res) => res.writeHead(200).end());
    const attempt = await channel.send(warningMessage(), peer.url);
    expect(attempt.outcome).toBe('failed');
    expect(peer.received).toHaveLength(0);
  });
});

describe('signWebhook', () => {
  it('matches the example of the Standard Webhooks reference libraries', () => {
    // The test vector the Standard Webhooks reference libraries share (secret, msg id, timestamp, payload).
    const body = '{"test": 2432232314}';
    expect(signWebhook(SECRET, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('generates whsec_ secrets of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3)', () => {
    const now = Date.parse('2026-01-14T06:00:00Z');
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 14 Jan 2026 06:02:00 GMT', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 14 Jan 2026 05:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
