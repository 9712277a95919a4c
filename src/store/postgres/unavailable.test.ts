import { describe, expect, it } from 'vitest';
import { Ew4eError } from '../../errors.ts';
import { asUnavailable, isDatabaseUnavailable } from './unavailable.ts';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it('takes server shutdowns, refused and lost connections and a full server for unavailability', () => {
    for (const error of [
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      new Ew4eError('EW4E_UNAVAILABLE'),
    ]) {
      expect(isDatabaseUnavailable(error), error.message).toBe(true);
    }
  });

  it("leaves a statement's own failures and other errors alone", () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "selec"', '42601'),
      withCode('could not serialize access', '40001'),
      withCode('no such file', 'ENOENT'),
      new TypeError('Cannot read properties of undefined'),
      new Ew4eError('EW4E_CONFLICT'),
    ]) {
      expect(isDatabaseUnavailable(error), error.message).toBe(false);
    }
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});

describe('asUnavailable', () => {
  it('wraps a connection failure as EW4E_UNAVAILABLE with the driver error as cause', () => {
    const refused = withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
    const wrapped = asUnavailable(refused);
    expect(Ew4eError.is(wrapped) && wrapped.code).toBe('EW4E_UNAVAILABLE');
    expect((wrapped as Error).cause).toBe(refused);
  });

  it('returns any other error as it is', () => {
    const clash = withCode('duplicate key', '23505');
    expect(asUnavailable(clash)).toBe(clash);
  });
});
