/** @module A webhook receiver for tests: a real HTTP server that verifies Standard Webhooks signatures with its own code, and can go down and come back. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly id: string;
  readonly timestamp: number;
  readonly body: string;
  readonly verified: boolean;
  readonly receivedAtMs: number;
}

/**
 * Verification written from the Standard Webhooks specification alone (not from our sender): the secret is
 * base64 after `whsec_`; the signed content is `${id}.${timestamp}.${body}`; the header holds space-separated
 * `v1,<base64 HMAC-SHA256>` signatures, any of which may match; timestamps older than five minutes are refused.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  setSecret(secret: string): void;
  /** Closes the port: senders get connection refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let secret = '';
  const make = (): Server =>
    createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({
          id: String(request.headers['webhook-id']),
          timestamp: Number(request.headers['webhook-timestamp']),
          body,
          verified: verifyStandardWebhook(secret, request.headers, body),
          receivedAtMs: Date.now(),
        });
        response.writeHead(204).end();
      });
    });
  let server = make();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const boundPort = (server.address() as AddressInfo).port;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${boundPort}/hooks/ew4e`,
    received,
    setSecret: (s) => {
      secret = s;
    },
    down: closeServer,
    up: async () => {
      server = make();
      await new Promise<void>((resolve) => server.listen(boundPort, '127.0.0.1', resolve));
    },
    close: closeServer,
  };
}
