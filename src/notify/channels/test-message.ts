/** @module Test fixture: the Dhaka air-pollution warning as one recipient's WarningMessage, with overrides per test. */
import { DHAKA_AIR_POLLUTION, DHAKA_SOUTH } from '../../warn/cap/test/dhaka-air-pollution.ts';
import type { WarningMessage } from '../channel.ts';

const english = DHAKA_AIR_POLLUTION.info.find((info) => info.language === 'en')!;

/** A published Alert in English for Bangladesh; pass fields to change (language, texts, msgType…). */
export function warningMessage(overrides: Partial<WarningMessage> = {}): WarningMessage {
  return {
    deliveryId: 'dlv_01JHX3Q5W7M8N9P0R1S2T3V4W5',
    warningId: 42,
    threadId: 7,
    identifier: DHAKA_AIR_POLLUTION.identifier,
    msgType: 'Alert',
    sent: '2026-01-14T05:30:00Z',
    expires: '2026-01-16T06:00:00Z',
    hazard: 'air_pollution',
    severity: english.severity,
    urgency: english.urgency,
    certainty: english.certainty,
    language: 'en',
    event: english.event,
    headline: english.headline ?? '',
    description: english.description ?? '',
    instruction: english.instruction ?? '',
    areaDesc: english.area[0]?.areaDesc ?? '',
    geometry: DHAKA_SOUTH,
    countries: ['BD'],
    senderName: english.senderName ?? '',
    cap: DHAKA_AIR_POLLUTION,
    capUrl: `https://ew4e.example.org/cap/${DHAKA_AIR_POLLUTION.identifier}.xml`,
    jsonUrl: `https://ew4e.example.org/cap/${DHAKA_AIR_POLLUTION.identifier}.json`,
    webUrl: 'https://ew4e.example.org/w/42',
    unsubscribeUrl: 'https://ew4e.example.org/unsubscribe/tok_abc',
    acknowledgeUrl: 'https://ew4e.example.org/ack/42/tok_def',
    ...overrides,
  };
}
