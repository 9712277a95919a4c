import { describe, expect, it } from 'vitest';
import { blackSoilBeltOf } from './soil-belts.ts';
import { soilReport, soilReportHtml, sparklineSvg } from './soil-report.ts';
import { degradationSignal, soilTrend } from './soil-trend.ts';

const YEARS = [2018, 2019, 2020, 2021, 2022, 2023];
const losingCarbon = [28.4, 27.9, 27.1, 26.8, 26.0, 25.5];

describe('soilTrend', () => {
  it('calls falling organic carbon degradation, with Sen slope per year and p', () => {
    const trend = soilTrend('soil_organic_carbon', YEARS, losingCarbon)!;
    expect(trend.direction).toBe('falling');
    expect(trend.degradation).toBe(true);
    // n = 6, strictly falling: S = −15, p = 0.0085 (see species-occurrence.test.ts); median pairwise slope −0.58.
    expect(trend.pValue).toBeCloseTo(0.0085, 4);
    expect(trend.slopePerYear).toBeCloseTo(-0.58, 2);
  });

  it('calls rising erosion and bulk density degradation, but not rising carbon or moisture either way', () => {
    const rising = [1, 1.4, 1.9, 2.2, 2.8, 3.1];
    expect(soilTrend('soil_erosion', YEARS, rising)!.degradation).toBe(true);
    expect(soilTrend('soil_bulk_density', YEARS, rising)!.degradation).toBe(true);
    expect(soilTrend('soil_organic_carbon', YEARS, rising)!.degradation).toBe(false);
    expect(soilTrend('soil_moisture', YEARS, losingCarbon)!.degradation).toBe(false);
    expect(soilTrend('soil_ph', YEARS, [6.5, 6.4, 6.3, 6.2, 6.1, 6.0])!.degradation).toBe(true);
  });

  it('finds no trend in noise, and none at all with fewer than five years', () => {
    expect(soilTrend('soil_organic_carbon', YEARS, [27, 28, 27, 28, 27, 28])!.direction).toBe('none');
    expect(soilTrend('soil_organic_carbon', [2021, 2022, 2023], [3, 2, 1])).toBeNull();
  });
});

describe('degradationSignal', () => {
  const context = {
    organisationId: 1,
    seriesId: 9,
    stationId: 4,
    stationName: 'Harbin black soil plot',
    variable: 'soil_organic_carbon',
    unit: 'g/kg',
    years: YEARS,
    means: losingCarbon,
  };

  it('raises a signal on the series for carbon loss', () => {
    const trend = soilTrend('soil_organic_carbon', YEARS, losingCarbon)!;
    const draft = degradationSignal(context, trend, Date.UTC(2026, 0, 1))!;
    expect(draft.sentence).toBe(
      'Soil organic carbon at Harbin black soil plot fell 0.58 g/kg a year since 2018 (Mann-Kendall p = 0.0085)',
    );
    expect(draft.seriesId).toBe(9);
    expect(draft.dedupeKey).toBe('soil_trend:9:2018-2023');
    expect(draft.score).toBeGreaterThan(0.9);
  });

  it('raises nothing for an indicator that only reports (pH) or a trend that is not degradation', () => {
    const falling = [6.5, 6.4, 6.3, 6.2, 6.1, 6.0];
    const ph = { ...context, variable: 'soil_ph', unit: 'pH', means: falling };
    expect(degradationSignal(ph, soilTrend('soil_ph', YEARS, falling)!, 0)).toBeNull();
    const gaining = [...losingCarbon].reverse();
    expect(
      degradationSignal({ ...context, means: gaining }, soilTrend('soil_organic_carbon', YEARS, gaining)!, 0),
    ).toBeNull();
  });
});

describe('black-soil belts', () => {
  it.each([
    [126.63, 45.75, 'northeast_china'], // Harbin
    [30.52, 50.45, 'ukraine'], // Kyiv
    [-60.9, -33.9, 'pampas'], // Pergamino
    [-97.1, 49.9, 'north_american_prairies'], // Winnipeg
    [-104.6, 50.45, 'north_american_prairies'], // Regina
    [2.35, 48.85, null], // Paris
  ])('puts %s, %s in %s', (lon, lat, belt) => {
    expect(blackSoilBeltOf(lon, lat)?.code ?? null).toBe(belt);
  });
});

describe('soilReport', () => {
  const sites = [
    {
      stationId: 1,
      code: 'cn-harbin',
      name: 'Harbin plot',
      lon: 126.63,
      lat: 45.75,
      series: [
        {
          variable: 'soil_moisture',
          unit: '%',
          latest: { timeMs: Date.UTC(2023, 5, 1), value: 31 },
          years: YEARS,
          means: [30, 31, 30, 31, 30, 31],
        },
        {
          variable: 'soil_organic_carbon',
          unit: 'g/kg',
          latest: { timeMs: Date.UTC(2023, 5, 1), value: 25.4 },
          years: YEARS,
          means: losingCarbon,
        },
      ],
    },
    { stationId: 2, code: 'fr-paris', name: '<Paris>', lon: 2.35, lat: 48.85, series: [] },
  ];

  it('groups sites by belt, orders indicators, and flags the degrading site', () => {
    const report = soilReport(sites, Date.UTC(2026, 0, 1));
    expect(report.belts.map((b) => [b.belt, b.sites.length])).toEqual([
      ['northeast_china', 1],
      ['ukraine', 0],
      ['pampas', 0],
      ['north_american_prairies', 0],
      [null, 1],
    ]);
    const harbin = report.belts[0]!.sites[0]!;
    expect(harbin.degrading).toBe(true);
    expect(harbin.indicators.map((i) => i.variable)).toEqual(['soil_organic_carbon', 'soil_moisture']);
    expect(harbin.indicators[0]).toMatchObject({
      latest_value: 25.4,
      latest_time: '2023-06-01T00:00:00.000Z',
      trend: { n: 6, direction: 'falling', degradation: true },
    });
  });

  it('writes one self-contained page: escaped names, inline SVG, nothing fetched', () => {
    const html = soilReportHtml(soilReport(sites, Date.UTC(2026, 0, 1)));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('&lt;Paris&gt;');
    expect(html).not.toContain('<Paris>');
    expect(html).toContain('<polyline');
    expect(html).not.toMatch(/<script|src=|href=/);
  });

  it('draws a sparkline from the first to the last year', () => {
    const svg = sparklineSvg([2000, 2001, 2002], [1, 3, 2], '#000');
    expect(svg).toContain('points="3,25 60,3 117,14"');
  });
});
