import { describe, expect, it } from 'vitest';
import { parseAlertFeed } from './alert-feeds.ts';

// Rows as FIRMS serves them (VIIRS S-NPP, 375 m), acq_time without leading zeros as in the archive files.
const FIRMS = `latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight
-3.46321,-62.21409,333.4,0.39,0.36,2026-09-02,1712,N,VIIRS,n,2.0NRT,296.9,6.1,D
-3.46540,-62.21702,367,0.39,0.36,2026-09-02,1712,N,VIIRS,h,2.0NRT,301.2,24.8,D
-3.47001,-62.20111,301.2,0.4,0.37,2026-09-03,5,N,VIIRS,l,2.0NRT,290.1,1.2,N
`;

describe('FIRMS active-fire CSV', () => {
  it('reads each detection as a fire_detection at its overpass time, other columns as attributes', () => {
    const { rows, problems } = parseAlertFeed(FIRMS, 'firms');
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      kind: 'fire_detection',
      timeMs: Date.parse('2026-09-02T17:12:00Z'),
      geometry: { type: 'Point', coordinates: [-62.21409, -3.46321] },
      attributes: {
        frp: 6.1,
        confidence: 'n',
        version: '2.0NRT',
        daynight: 'D',
        satellite: 'N',
        instrument: 'VIIRS',
      },
    });
    expect(rows[2]?.timeMs).toBe(Date.parse('2026-09-03T00:05:00Z'));
    // the same detection sent twice is the same event
    expect(parseAlertFeed(FIRMS, 'firms').rows[1]?.externalId).toBe(rows[1]?.externalId);
    expect(new Set(rows.map((r) => r.externalId)).size).toBe(3);
  });

  it('names the line and column of every bad cell and keeps no bad row', () => {
    const bad = FIRMS.replace('-3.46540', '-93.4')
      .replace('2026-09-03', '2026-02-30')
      .replace('2026-08-31', '2026-13-01')
      .replace(',1712,N,VIIRS,h', ',1772,N,VIIRS,h');
    const { rows, problems } = parseAlertFeed(bad, 'firms');
    expect(rows).toHaveLength(1);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'latitude'],
      [3, 'acq_time'],
      [4, 'acq_date'],
    ]);
  });

  it('asks for the columns it needs', () => {
    const { problems } = parseAlertFeed('lat,lon\n1,2\n', 'firms');
    expect(problems.map((p) => p.field)).toEqual(['latitude', 'longitude', 'acq_date', 'acq_time']);
  });
});

describe('GFW integrated alerts CSV', () => {
  it('reads forest-loss alerts by day with their confidence', () => {
    const csv = `longitude,latitude,gfw_integrated_alerts__date,gfw_integrated_alerts__confidence\n-62.1,-3.4,2026-08-30,highest\n-62.2,-3.5,2026-08-31,nominal\n`;
    const { rows, problems } = parseAlertFeed(csv, 'gfw');
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.kind, new Date(r.timeMs).toISOString(), r.attributes.confidence])).toEqual([
      ['forest_loss_alert', '2026-08-30T00:00:00.000Z', 'highest'],
      ['forest_loss_alert', '2026-08-31T00:00:00.000Z', 'nominal'],
    ]);
  });

  it('refuses a file without a date column', () => {
    const { rows, problems } = parseAlertFeed('longitude,latitude\n1,2\n', 'gfw');
    expect(rows).toEqual([]);
    expect(problems[0]?.field).toBe('gfw_integrated_alerts__date');
  });
});
