/** @module Test fixture: an EW4E air-pollution alert for Dhaka in English and French (CAP 1.2, OASIS Standard, 1 July 2010, §3.2). */

import type { Polygon } from 'geojson';
import { type CapAlert, type CapInfo, capCircle, capTime } from '../cap-alert.ts';
import { geoJsonToCapPolygons } from '../cap-xml.ts';

/** Dhaka South City Corporation, roughly (GeoJSON: lon,lat; counter-clockwise per RFC 7946 §3.1.6). */
export const DHAKA_SOUTH: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [90.3663, 23.6913],
      [90.4498, 23.6813],
      [90.4596, 23.7352],
      [90.4105, 23.7505],
      [90.3612, 23.7397],
      [90.3663, 23.6913],
    ],
  ],
};

const common = {
  category: ['Env', 'Health'],
  responseType: ['Avoid', 'Monitor'],
  urgency: 'Expected',
  severity: 'Severe',
  certainty: 'Likely',
  eventCode: [{ valueName: 'EW4E', value: 'air-pollution-episode' }],
  effective: capTime(new Date('2026-01-14T06:00:00Z')),
  onset: capTime(new Date('2026-01-14T09:00:00Z')),
  expires: capTime(new Date('2026-01-16T06:00:00Z')),
  web: 'https://ew4e.example.org/warnings/dhaka-2026-01-14-pm25',
  parameter: [
    { valueName: 'PM2.5_24h_ugm3', value: '182' },
    { valueName: 'WHO_2021_AQG_24h_ugm3', value: '15' },
  ],
  resource: [],
} as const satisfies Partial<CapInfo>;

const area = (areaDesc: string): CapInfo['area'][number] => ({
  areaDesc,
  polygon: geoJsonToCapPolygons(DHAKA_SOUTH),
  circle: [capCircle(23.8103, 90.4125, 12)],
  geocode: [{ valueName: 'ISO3166-2', value: 'BD-13' }],
});

export const DHAKA_AIR_POLLUTION: CapAlert = {
  identifier: 'ew4e-bd-dhaka-2026-01-14-pm25-001',
  sender: 'warnings@ew4e.example.org',
  sent: capTime(new Date('2026-01-14T05:30:00Z')),
  status: 'Actual',
  msgType: 'Alert',
  source: 'EW4E rule pm25-who-24h (WHO 2021 AQG × 12)',
  scope: 'Public',
  code: ['EW4E-1.0'],
  references: [],
  incidents: ['dhaka-winter-smog-2026'],
  info: [
    {
      ...common,
      language: 'en',
      event: 'Air pollution episode',
      senderName: 'EW4E — Dhaka air quality',
      headline: 'Very unhealthy air (PM2.5) in Dhaka until Friday',
      description:
        'Fine-particle (PM2.5) levels of 182 µg/m³ over 24 hours, more than twelve times the WHO guideline (15 µg/m³), are expected to persist across Dhaka South while winds stay calm.',
      instruction:
        'Avoid outdoor exercise; keep windows closed; wear an N95 mask outside; children & the elderly should stay indoors.',
      contact: '+880 2 0000 0000',
      area: [area('Dhaka South City Corporation and surroundings')],
    },
    {
      ...common,
      language: 'fr',
      event: 'Épisode de pollution de l’air',
      senderName: 'EW4E — qualité de l’air à Dhaka',
      headline: 'Air très malsain (PM2,5) à Dhaka jusqu’à vendredi',
      description:
        'Des niveaux de particules fines (PM2,5) de 182 µg/m³ sur 24 heures, plus de douze fois la valeur guide de l’OMS (15 µg/m³), devraient persister sur Dhaka Sud tant que le vent reste calme.',
      instruction:
        'Évitez l’exercice en plein air ; gardez les fenêtres fermées ; portez un masque N95 dehors ; enfants & personnes âgées : restez à l’intérieur.',
      contact: '+880 2 0000 0000',
      area: [area('Dhaka Sud (City Corporation) et alentours')],
    },
  ],
};
