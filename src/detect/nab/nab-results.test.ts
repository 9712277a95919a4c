import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NabCorpus,
  type NabDataFile,
  parseNabDataCsv,
  parseNabResultsCsv,
  parseNabWindows,
  readNabCorpus,
  readNabDetectorResults,
  readNabResultsFile,
} from './nab-corpus.ts';
import { type NabResults, nabResultsPath, windowLabels, writeNabResults } from './nab-results.ts';
import { NAB_PROFILES, scoreCorpus } from './nab-scorer.ts';
import { formatNabTimestamp, parseNabTimestamp } from './nab-time.ts';

const NAB_DIR = process.env.EW4E_NAB_DIR ?? path.resolve('..', 'shared', 'nab');
const HOUR_MS = 3_600_000;

let tempDir: string;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'ew4e-nab-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** A data file whose clock repeats an hour (DST) and once steps back, as some NAB files do. */
function awkwardFile(): NabDataFile {
  const start = Date.UTC(2015, 9, 25, 0, 0, 0);
  const hours = [0, 1, 1, 2, 3, 4, 3.5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const timestamps = hours.map((h) => start + h * HOUR_MS);
  return {
    path: 'realOdd/clock.csv',
    timestamps,
    values: timestamps.map((_, i) => (i % 3 === 0 ? i * 0.1 : -i)),
    windows: [[timestamps[7]!, timestamps[10]!]],
  };
}

function plainFile(): NabDataFile {
  const timestamps = Array.from({ length: 30 }, (_, i) => Date.UTC(2014, 3, 1) + i * 300_000);
  return { path: 'artificialPlain/steady.csv', timestamps, values: timestamps.map(() => 42), windows: [] };
}

function resultsFor(file: NabDataFile, score: (i: number) => number): NabResults {
  return {
    timestamps: file.timestamps,
    values: file.values,
    anomalyScores: file.timestamps.map((_, i) => score(i)),
    labels: windowLabels(file.timestamps, file.windows),
  };
}

describe('NAB results: written in NAB’s layout and read back unchanged', () => {
  const corpus: NabCorpus = { files: [plainFile(), awkwardFile()], profiles: NAB_PROFILES };
  const scores = [(i: number) => i / 30, (i: number) => (i === 7 ? 1 : 1 / (i + 3))];

  it('round-trips every column through the file, keeping file order where the clock repeats or steps back', async () => {
    const dir = path.join(tempDir, 'round-trip');
    const written = await Promise.all(
      corpus.files.map((file, f) =>
        writeNabResults(dir, 'ew4e-test', file.path, resultsFor(file, scores[f]!)),
      ),
    );
    expect(written).toEqual([
      path.join(dir, 'ew4e-test', 'artificialPlain', 'ew4e-test_steady.csv'),
      path.join(dir, 'ew4e-test', 'realOdd', 'ew4e-test_clock.csv'),
    ]);

    const text = await readFile(written[1]!, 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,label');
    expect(lines.slice(1, 4)).toEqual([
      '2015-10-25 00:00:00,0,0.3333333333333333,0',
      '2015-10-25 01:00:00,-1,0.25,0',
      '2015-10-25 01:00:00,-2,0.2,0',
    ]);
    expect(lines[8]).toBe('2015-10-25 05:00:00,-7,1,1');

    for (const [f, file] of corpus.files.entries()) {
      const back = await readNabResultsFile(written[f]!);
      expect(back).toEqual(resultsFor(file, scores[f]!));
    }

    const scored = await readNabDetectorResults(dir, 'ew4e-test', corpus);
    expect(scored.map((file) => file.name)).toEqual(['artificialPlain/steady.csv', 'realOdd/clock.csv']);
    expect(scored[1]!.anomalyScores).toEqual(resultsFor(corpus.files[1]!, scores[1]!).anomalyScores);
    // The awkward file's only window is detected on its first row, and nothing else reaches 1.
    expect(scoreCorpus(scored, NAB_PROFILES.standard)).toMatchObject({ threshold: 1, score: 100 });
  });

  it('rewriting a published detector’s outputs through the writer scores exactly as the originals', async () => {
    const nab = await readNabCorpus(NAB_DIR);
    const original = await readNabDetectorResults(path.join(NAB_DIR, 'reference', 'results'), 'numenta', nab);
    const dir = path.join(tempDir, 'numenta-copy');
    await Promise.all(
      nab.files.map((file, f) =>
        writeNabResults(
          dir,
          'numenta',
          file.path,
          resultsFor(file, (i) => original[f]!.anomalyScores[i]!),
        ),
      ),
    );
    const copy = await readNabDetectorResults(dir, 'numenta', nab);
    expect(copy).toEqual(original);
    expect(scoreCorpus(copy, NAB_PROFILES.standard).score).toBe(
      scoreCorpus(original, NAB_PROFILES.standard).score,
    );
  });

  it('refuses detector names NAB would misread and data paths outside its layout', () => {
    expect(() => nabResultsPath(tempDir, 'my_detector', 'realTweets/x.csv')).toThrow(/no '_'/);
    expect(() => nabResultsPath(tempDir, 'det', 'x.csv')).toThrow(/<category>\/<file>.csv/);
    expect(() => nabResultsPath(tempDir, 'det', '../x.csv')).toThrow(/<category>\/<file>.csv/);
    expect(nabResultsPath('/r', 'det', 'realTweets/x.csv')).toBe(
      path.join('/r', 'det', 'realTweets', 'det_x.csv'),
    );
  });

  it('refuses a detector whose results miss a data file, instead of scoring the rest', async () => {
    const dir = path.join(tempDir, 'incomplete');
    const file = corpus.files[0]!;
    await writeNabResults(
      dir,
      'partial',
      file.path,
      resultsFor(file, () => 0),
    );
    await expect(readNabDetectorResults(dir, 'partial', corpus)).rejects.toThrow(
      /no results for \[realOdd\/clock.csv\]/,
    );
  });
});

describe('NAB readers name the place of bad input', () => {
  it('data CSVs: header and line', () => {
    expect(parseNabDataCsv('timestamp,value\r\n2014-04-01 00:00:00,1.5\r\n', 'd.csv')).toEqual({
      timestamps: [Date.UTC(2014, 3, 1)],
      values: [1.5],
    });
    expect(() => parseNabDataCsv('time,value\n', 'd.csv')).toThrow(/d.csv:1: header/);
    expect(() =>
      parseNabDataCsv('timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01T00:05:00,2\n', 'd.csv'),
    ).toThrow(/d.csv:3: '2014-04-01T00:05:00' is not a timestamp/);
    expect(() => parseNabDataCsv('timestamp,value\n2014-04-01 00:00:00,\n', 'd.csv')).toThrow(
      /d.csv:2: '' is not/,
    );
  });

  it('results CSVs: the anomaly_score column is found by name, other columns ignored', () => {
    const text = 'timestamp,raw_score,anomaly_score,S(t)_standard\n2014-04-01 00:00:00,3,0.25,-0.11\n';
    expect(parseNabResultsCsv(text, 'r.csv')).toEqual({
      timestamps: [Date.UTC(2014, 3, 1)],
      anomalyScores: [0.25],
    });
    expect(() => parseNabResultsCsv('timestamp,score\n', 'r.csv')).toThrow(/no 'anomaly_score'/);
    expect(() => parseNabResultsCsv('timestamp,anomaly_score\n2014-04-01 00:00:00,nan\n', 'r.csv')).toThrow(
      /r.csv:2/,
    );
  });

  it('windows JSON: JSON pointer of the bad timestamp', () => {
    const json = {
      'a/b.csv': [['2014-04-10 07:15:00.000000', '2014-04-11 16:45:00.000000']],
      'c/d.csv': [['x', 'y']],
    };
    expect(() => parseNabWindows(json, 'w.json')).toThrow(/w.json \/c~1d.csv\/0\/0: not a NAB timestamp/);
    const ok = parseNabWindows({ 'a/b.csv': json['a/b.csv'] }, 'w.json');
    expect(ok.get('a/b.csv')).toEqual([[Date.UTC(2014, 3, 10, 7, 15), Date.UTC(2014, 3, 11, 16, 45)]]);
  });
});

describe('NAB timestamps', () => {
  it('are read as UTC, with or without a fraction, and nothing else is accepted', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp('2014-04-10 07:15:00.1239')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0, 123));
    for (const bad of [
      '2014-04-10T07:15:00',
      '2014-02-30 00:00:00',
      '2014-04-10 24:00:00',
      '2014-04-10 07:15',
      '2014-04-10 07:15:00.',
      '2014-04-10 07:15:00Z',
    ]) {
      expect(parseNabTimestamp(bad)).toBeUndefined();
    }
  });

  it('format and parse are inverse for every millisecond instant of years 0001–9999', () => {
    const min = Date.UTC(2000, 0, 1) - 1999 * 365.2425 * 86_400_000;
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min: Math.ceil(min), max }), (timeMs) => {
        const text = formatNabTimestamp(timeMs);
        expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
        expect(parseNabTimestamp(text)).toBe(timeMs);
      }),
    );
    expect(formatNabTimestamp(Date.UTC(2014, 3, 10, 7, 15))).toBe('2014-04-10 07:15:00');
  });
});
