import { describe, expect, it } from 'vitest';
import { Ew4eError } from '../errors.ts';
import {
  errorsTopic,
  observationsFilter,
  parseIngestTopic,
  payloadFormat,
  problemReport,
  pubackReasonOf,
} from './mqtt-topics.ts';

describe('the ingestion topic tree', () => {
  it('names organisation and station under the prefix', () => {
    expect(parseIngestTopic('ew4e/in', 'ew4e/in/bd-doe/agargaon/observations')).toEqual({
      organisationCode: 'bd-doe',
      stationCode: 'agargaon',
    });
    expect(observationsFilter('ew4e/in')).toBe('ew4e/in/+/+/observations');
    expect(errorsTopic('ew4e/in', { organisationCode: 'bd-doe', stationCode: 'agargaon' })).toBe(
      'ew4e/in/bd-doe/agargaon/errors',
    );
  });

  it('refuses topics outside the tree', () => {
    for (const topic of [
      'ew4e/in/bd-doe/observations',
      'ew4e/in/bd-doe/agargaon/extra/observations',
      'ew4e/in/bd-doe/agargaon/errors',
      'ew4e/in//agargaon/observations',
      'ew4e/inx/bd-doe/agargaon/observations',
      'other/bd-doe/agargaon/observations',
    ]) {
      expect(parseIngestTopic('ew4e/in', topic), topic).toBeUndefined();
    }
  });
});

describe('payloadFormat', () => {
  it('follows the MQTT 5 content type, with or without parameters', () => {
    expect(payloadFormat('text/csv; charset=utf-8', '[')).toBe('csv');
    expect(payloadFormat('application/x-ndjson', '')).toBe('ndjson');
    expect(payloadFormat('Application/JSON', '')).toBe('json');
    expect(payloadFormat('application/xml', '[')).toBeUndefined();
  });

  it('tells the format by the first character when no content type is given', () => {
    expect(payloadFormat(undefined, '\ufeff  [{"series":"pm25"}]')).toBe('json');
    expect(payloadFormat(undefined, '\n{"series":"pm25"}\n{"series":"pm25"}')).toBe('ndjson');
    expect(payloadFormat('', 'series,time,value\n')).toBe('csv');
  });
});

describe('problemReport and pubackReasonOf', () => {
  it('reports the code, its title, the detail, each place and the topic', () => {
    const error = new Ew4eError('EW4E_INVALID_ROWS', '1 row(s) are invalid; nothing was written', [
      { row: 0, line: 2, field: 'value', reason: 'value must be a number' },
    ]);
    expect(problemReport('ew4e/in/o/s/observations', error, Date.UTC(2026, 0, 2))).toEqual({
      code: 'EW4E_INVALID_ROWS',
      title: 'Some rows of the batch are invalid; nothing was written',
      detail: '1 row(s) are invalid; nothing was written',
      errors: [{ row: 0, line: 2, field: 'value', reason: 'value must be a number' }],
      topic: 'ew4e/in/o/s/observations',
      received_at: '2026-01-02T00:00:00.000Z',
    });
  });

  it('acknowledges a refusal with the MQTT 5 reason code that says why', () => {
    expect(pubackReasonOf('EW4E_INVALID_ROWS')).toBe(0x99);
    expect(pubackReasonOf('EW4E_NOT_FOUND')).toBe(0x87);
    expect(pubackReasonOf('EW4E_INTERNAL')).toBe(0x80);
  });
});
