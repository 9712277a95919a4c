import { describe, expect, it } from 'vitest';
import { dutiesOf, isProcessRole, PROCESS_ROLES, roleRefusal } from './process-role.ts';

describe('process roles', () => {
  it('share out every duty: each is run by all, and by exactly one of the split roles', () => {
    const split = PROCESS_ROLES.filter((r) => r !== 'all');
    for (const duty of Object.keys(dutiesOf('all')) as (keyof ReturnType<typeof dutiesOf>)[]) {
      expect(dutiesOf('all')[duty], duty).toBe(true);
      const runners = split.filter((r) => dutiesOf(r)[duty]);
      // the API is served by api and ingest alike (both hand what they store to the stream)
      expect(runners, duty).toEqual(duty === 'api' ? ['api', 'ingest'] : [expect.any(String)]);
    }
    expect(dutiesOf('detect')).toMatchObject({ api: false, detection: true, warningStage: true });
    expect(dutiesOf('notify')).toMatchObject({ api: false, dissemination: true, detection: false });
  });

  it('refuse to split the platform without NATS, and say what to set', () => {
    expect(roleRefusal('all', false)).toBeUndefined();
    for (const role of ['api', 'ingest', 'detect', 'notify'] as const) {
      expect(roleRefusal(role, false)).toContain('EW4E_NATS_URL');
      expect(roleRefusal(role, true)).toBeUndefined();
    }
  });

  it('know their names', () => {
    expect(isProcessRole('detect')).toBe(true);
    expect(isProcessRole('worker')).toBe(false);
  });
});
