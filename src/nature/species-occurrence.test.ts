import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventDate, parseOccurrences } from './species-occurrence.ts';
import { generalisePoint, sensitivityOf, visiblePoint } from './species-sensitivity.ts';
import { declineSignal, describeDecline, populationsOf, populationTrend } from './species-trend.ts';

const HEADER =
  'occurrenceID,scientificName,eventDate,decimalLatitude,decimalLongitude,individualCount,basisOfRecord';

describe('parseOccurrences', () => {
  it('reads Darwin Core rows in any column order and case, ignoring unknown terms', () => {
    const body = [
      'BASISOFRECORD,decimalLongitude,decimalLatitude,eventDate,scientificName,occurrenceID,individualCount,countryCode,locality,recordedBy',
      'HumanObservation,89.18,21.95,2019-03-04,Panthera tigris,occ-1,3,bd,Sundarbans East,A. Rahman',
      'MACHINE_OBSERVATION,89.2,21.9,2020-01-02T06:30:00+06:00,"Panthera  tigris",occ-2,,BD,,',
    ].join('\n');
    const { rows, problems } = parseOccurrences(body);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        row: 0,
        line: 2,
        occurrenceId: 'occ-1',
        scientificName: 'Panthera tigris',
        eventDateMs: Date.UTC(2019, 2, 4),
        lon: 89.18,
        lat: 21.95,
        individualCount: 3,
        basisOfRecord: 'HumanObservation',
        countryCode: 'BD',
        locality: 'Sundarbans East',
        sensitive: false,
      },
      {
        row: 1,
        line: 3,
        occurrenceId: 'occ-2',
        scientificName: 'Panthera tigris',
        eventDateMs: Date.UTC(2020, 0, 2, 0, 30),
        lon: 89.2,
        lat: 21.9,
        individualCount: null,
        basisOfRecord: 'MachineObservation',
        countryCode: 'BD',
        locality: null,
        sensitive: false,
      },
    ]);
  });

  it('names the line and the term of every problem', () => {
    const body = [
      HEADER,
      'a,Panthera tigris,2019-02-30,21.9,89.2,1,HumanObservation',
      'b,,2019-01-01,95,89.2,-1,Sighting',
      'a,Panthera tigris,2019-01-01,21.9,east,2,HumanObservation',
    ].join('\n');
    const { rows, problems } = parseOccurrences(body);
    expect(rows).toEqual([]);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'eventDate'],
      [3, 'scientificName'],
      [3, 'decimalLatitude'],
      [3, 'individualCount'],
      [3, 'basisOfRecord'],
      [4, 'occurrenceID'],
      [4, 'decimalLongitude'],
    ]);
    expect(problems[5]!.reason).toBe('occurrenceID "a" is also on line 2');
  });

  it('names a missing required column by its Darwin Core term', () => {
    const { problems } = parseOccurrences(
      'occurrenceID,scientificName,eventDate,decimalLatitude,decimalLongitude\n',
    );
    expect(problems).toEqual([
      {
        row: -1,
        line: 1,
        field: 'basisOfRecord',
        reason: 'missing required column "basisofrecord" in the header row',
      },
    ]);
  });

  it('marks a record sensitive when it says its information was withheld or generalised', () => {
    const body = [
      `${HEADER},informationWithheld,dataGeneralizations`,
      'a,Manis javanica,2021,1.3,103.8,1,HumanObservation,location withheld,',
      'b,Manis javanica,2021-05,1.3,103.8,1,HumanObservation,,rounded to 0.1 degree',
      'c,Manis javanica,2021-05-06,1.3,103.8,1,HumanObservation,,',
    ].join('\n');
    const { rows, problems } = parseOccurrences(body);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.sensitive)).toEqual([true, true, false]);
    expect(rows.map((r) => r.eventDateMs)).toEqual([
      Date.UTC(2021, 0, 1),
      Date.UTC(2021, 4, 1),
      Date.UTC(2021, 4, 6),
    ]);
  });

  it('never throws on arbitrary text, and every problem names a line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (tail) => {
        const { rows, problems } = parseOccurrences(`${HEADER}\n${tail}`);
        for (const p of problems) expect(p.line).toBeGreaterThan(0);
        for (const r of rows) expect(Number.isFinite(r.eventDateMs)).toBe(true);
      }),
    );
  });
});

describe('parseEventDate', () => {
  it.each([
    ['2019', Date.UTC(2019, 0, 1)],
    ['2019-07', Date.UTC(2019, 6, 1)],
    ['2019-07-14', Date.UTC(2019, 6, 14)],
    ['2019-07-14T10:00Z', Date.UTC(2019, 6, 14, 10)],
    ['2019-07-14T10:00', Date.UTC(2019, 6, 14)],
    ['2019-07-14/2019-07-20', Date.UTC(2019, 6, 14)],
    ['2019-07-14T22:00:00-02:00/15', Date.UTC(2019, 6, 15)],
  ])('reads %s as its start', (text, timeMs) => {
    expect(parseEventDate(text)).toEqual({ timeMs });
  });

  it.each(['14/07/2019', '2019-13-01', '2019-02-29', 'yesterday', '/2019-01-01'])('refuses %s', (text) => {
    expect('reason' in parseEventDate(text)).toBe(true);
  });
});

describe('sensitive locations', () => {
  it('snaps to the centre of the 0.1° or 1° cell holding the point', () => {
    expect(generalisePoint(89.18, 21.95, 0.1)).toEqual([89.15, 21.95]);
    expect(generalisePoint(89.18, 21.95, 1)).toEqual([89.5, 21.5]);
    expect(generalisePoint(-58.42, -34.61, 1)).toEqual([-58.5, -34.5]);
    expect(generalisePoint(180, 90, 1)).toEqual([179.5, 89.5]);
    expect(generalisePoint(-180, -90, 0.1)).toEqual([-179.95, -89.95]);
  });

  it('keeps every generalised point within its cell and the valid range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.constantFrom(0.1, 1),
        (lon, lat, deg) => {
          const [x, y] = generalisePoint(lon, lat, deg);
          expect(Math.abs(x - lon)).toBeLessThanOrEqual(deg / 2 + 1e-9);
          expect(Math.abs(y - lat)).toBeLessThanOrEqual(deg / 2 + 1e-9);
          expect(Math.abs(x)).toBeLessThan(180);
          expect(Math.abs(y)).toBeLessThan(90);
        },
      ),
    );
  });

  it('shows the exact point only to the recording organisation', () => {
    const point = { lon: 89.18, lat: 21.95 };
    expect(visiblePoint(point, 'highly_sensitive', true)).toEqual({ ...point, generalisedDeg: 0 });
    expect(visiblePoint(point, 'highly_sensitive', false)).toEqual({
      lon: 89.5,
      lat: 21.5,
      generalisedDeg: 1,
    });
    expect(visiblePoint(point, 'none', false)).toEqual({ ...point, generalisedDeg: 0 });
  });

  it('takes the stricter of the record flag and the list', () => {
    expect(sensitivityOf(true, undefined)).toBe('sensitive');
    expect(sensitivityOf(true, 'highly_sensitive')).toBe('highly_sensitive');
    expect(sensitivityOf(false, 'sensitive')).toBe('sensitive');
    expect(sensitivityOf(false, undefined)).toBe('none');
  });
});

describe('population trends', () => {
  const tiger = {
    species: 'Panthera tigris',
    areaId: 7,
    areaName: 'Sundarbans',
    years: [2015, 2016, 2017, 2018, 2019, 2020],
    counts: [120, 110, 104, 96, 90, 84],
  };

  it('groups yearly counts into populations', () => {
    const populations = populationsOf([
      { species: 'B', areaId: 1, areaName: 'X', year: 2001, count: 3 },
      { species: 'A', areaId: 1, areaName: 'X', year: 2000, count: 5 },
      { species: 'B', areaId: 1, areaName: 'X', year: 2000, count: 4 },
    ]);
    expect(populations.map((p) => [p.species, p.years, p.counts])).toEqual([
      ['A', [2000], [5]],
      ['B', [2000, 2001], [4, 3]],
    ]);
  });

  it('finds a significant decline and says it in a sentence', () => {
    const trend = populationTrend(tiger.years, tiger.counts)!;
    expect(trend.significantDecline).toBe(true);
    expect(trend.direction).toBe('declining');
    expect(trend.pValue).toBeLessThan(0.05);
    // n = 6, S = −15, Var S = 6·5·17/18 = 28.33, z = (−15 + 1)/√28.33 = −2.63, p = 2(1 − Φ(2.63)) = 0.0085.
    // Sen's slope of log10 counts: the median pairwise yearly ratio, about −6.9 % a year here.
    expect(trend.ratePerYear).toBeCloseTo(-0.069, 2);
    expect(describeDecline(tiger, trend)).toBe(
      'Population of Panthera tigris in Sundarbans fell 6.9 % a year since 2015 (Mann-Kendall p = 0.0085)',
    );
  });

  it('needs five years, and a stable or rising population raises nothing', () => {
    expect(populationTrend([2019, 2020, 2021, 2022], [9, 8, 7, 6])).toBeNull();
    expect(populationTrend([2018, 2019, 2020, 2021, 2022], [5, 6, 5, 6, 5])!.significantDecline).toBe(false);
    expect(populationTrend([2018, 2019, 2020, 2021, 2022], [1, 2, 3, 4, 5])!.direction).toBe('increasing');
  });

  it('drafts an idempotent signal that names the variable it evidences', () => {
    const trend = populationTrend(tiger.years, tiger.counts)!;
    const draft = declineSignal(3, tiger, trend, Date.UTC(2026, 0, 1));
    expect(draft.dedupeKey).toBe('species_decline:7:Panthera tigris:2015-2020');
    expect(draft.details.variable).toBe('species_count');
    expect(draft.areaId).toBe(7);
    expect(draft.score).toBeGreaterThan(0.95);
  });
});
