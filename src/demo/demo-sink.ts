/**
 * @module The demo's webhook sink: a small HTTP receiver on this machine, subscribed to Dhaka's warnings, so
 * that deliveries can be seen happening (in the log and in GET /v1/warnings/:id/deliveries).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Services } from '../app.ts';

export interface DemoSink {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDemoSink(
  services: Services,
  organisationId: number,
  areaCode: string,
  log: (msg: string) => void,
): Promise<DemoSink> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          type?: string;
          data?: { headline?: string };
        };
        log(
          `demo webhook sink: ${body.type ?? 'webhook'} ${request.headers['webhook-id']}: ${body.data?.headline ?? ''}`,
        );
      } catch {
        log('demo webhook sink: a body that is not JSON');
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/demo/webhook-sink`;
  const db = services.database.db;
  const area = await db
    .selectFrom('area')
    .select(['id', 'geometry'])
    .where('code', '=', areaCode)
    .executeTakeFirst();
  if (area !== undefined) {
    // One demo subscription, pointed at this run's port (a new port each start).
    const existing = await db
      .selectFrom('subscription')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('recipient_name', '=', 'demo webhook sink')
      .executeTakeFirst();
    const secret = await services.webhookSecretFor(url);
    if (existing !== undefined) {
      await db
        .updateTable('subscription')
        .set({ target: url, webhook_secret: secret })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await services.subscriptions.create({
        organisationId,
        managed: true,
        channel: 'webhook',
        target: url,
        recipientName: 'demo webhook sink',
        area: { kind: 'area', areaId: area.id, geometry: area.geometry as never },
        hazards: null,
        categories: null,
        minSeverity: 'Minor',
        minUrgency: 'Unknown',
        minCertainty: 'Unknown',
        languages: ['en'],
        wantsUpdates: true,
        wantsCancels: true,
        quietHours: null,
        digest: null,
        ackWithinS: null,
        escalateTo: null,
        webhookSecret: secret,
      });
    }
  }
  log(`demo: webhook sink at ${url}, subscribed to the warnings for ${areaCode}`);
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
