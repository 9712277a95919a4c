/** @module Many managed webhook responders around Dhaka, as subscription rows to write in bulk (the API path is tested elsewhere). */
import type { Insertable } from 'kysely';
import { boxOfArea } from '../../src/notify/subscriptions.ts';
import type { SubscriptionTable } from '../../src/store/schema.ts';

/** `count` responders on a 100-wide grid of points 0.001° apart around Dhaka, each at `targetOf(i)`. */
export function responderSubscriptions(
  organisationId: number,
  count: number,
  targetOf: (i: number) => string,
  webhookSecret: string,
): Insertable<SubscriptionTable>[] {
  return Array.from({ length: count }, (_, i) => {
    const area = {
      kind: 'point' as const,
      lon: 90.3 + (i % 100) * 0.001,
      lat: 23.7 + Math.floor(i / 100) * 0.001,
    };
    const [minLon, minLat, maxLon, maxLat] = boxOfArea(area);
    return {
      organisation_id: organisationId,
      managed: true,
      channel: 'webhook' as const,
      target: targetOf(i),
      recipient_name: `responder ${i}`,
      area: JSON.stringify(area),
      min_lon: minLon,
      min_lat: minLat,
      max_lon: maxLon,
      max_lat: maxLat,
      hazards: null,
      categories: null,
      quiet_hours: JSON.stringify(null),
      status: 'active' as const,
      confirm_token: null,
      unsubscribe_token: `u${i}-${Math.random().toString(36).slice(2)}`,
      webhook_secret: webhookSecret,
      ack_within_s: null,
      escalate_to: null,
      confirmed_at: new Date(),
    };
  });
}
