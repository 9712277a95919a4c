/** @module An in-process platform over a fresh test database, with helpers to register what tests need through the API. */
import os from 'node:os';
import path from 'node:path';
import { createPlatform, type Platform } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import type { SignalDraft } from '../../src/detect/signal.ts';
import type { Backend } from '../../src/store/database.ts';
import { insertSignals } from '../../src/store/signal.repository.ts';
import { freshDatabase, type TestDatabase } from './test-database.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir: path.join(os.tmpdir(), 'ew4e-test-media'),
    databaseUrl: undefined,
    adminKey: ADMIN_KEY,
    logLevel: 'silent',
    maxBatchRows: 50_000,
    maxBodyBytes: 16 * 1024 * 1024,
    publicUrl: 'https://ew4e.test',
    detectionGatherMs: 1000,
    delivery: {
      smtpUrl: undefined,
      mailFrom: 'EW4E test <warnings@ew4e.test>',
      smsGatewayUrl: undefined,
      smsToken: undefined,
      mqttUrl: undefined,
      baseBackoffMs: 200,
      maxBackoffMs: 5_000,
      coolDownMs: 5_000,
      leaseMs: 5_000,
    },
    ...overrides,
  };
}

export interface TestPlatform {
  readonly platform: Platform;
  readonly testDatabase: TestDatabase;
  /**
   * app.inject with a key (the admin's by default; null for none): JSON bodies are sent as JSON, strings as
   * they are; `headers` are added (a session cookie, a CSRF token).
   */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options?: { key?: string | null; body?: unknown; contentType?: string; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read replies of many shapes.
  ): Promise<{ statusCode: number; json: () => any; body: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
  /** Stops this platform and closes its database, which stays for another process to open. */
  closeKeepingDatabase(): Promise<void>;
}

export async function startTestPlatform(
  backend: Backend,
  overrides: Partial<Config> = {},
): Promise<TestPlatform> {
  const testDatabase = await freshDatabase(backend);
  const platform = await createPlatform(testConfig(overrides), false, testDatabase.database);
  return {
    platform,
    testDatabase,
    request: async (method, url, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key !== null) headers.authorization = `Bearer ${options.key ?? ADMIN_KEY}`;
      let payload: string | undefined;
      if (options.body !== undefined) {
        payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] = options.contentType ?? 'application/json';
      }
      const response = await platform.server.inject({
        method,
        url,
        headers,
        ...(payload !== undefined ? { payload } : {}),
      });
      return {
        statusCode: response.statusCode,
        json: () => response.json(),
        body: response.body,
        headers: response.headers,
      };
    },
    close: async () => {
      platform.services.detection.stop();
      await platform.services.warnings.idle();
      await platform.server.close();
      await testDatabase.dispose();
    },
    closeKeepingDatabase: () => platform.close(),
  };
}

export interface Fixture {
  readonly orgId: number;
  readonly key: string;
  readonly sourceId: number;
  readonly stationId: number;
  readonly seriesId: number;
  readonly seriesCode: string;
}

/** A country organisation with an analyst key, a source, a station in Dhaka and a PM2.5 series. */
export async function registerFixture(
  t: Pick<TestPlatform, 'request'>,
  code: string,
  iso: string,
): Promise<Fixture> {
  const org = await t.request('POST', '/v1/organisations', {
    body: { kind: 'country', code, name: `Country ${code}`, iso_code: iso },
  });
  if (org.statusCode !== 201) throw new Error(`organisation: ${org.statusCode} ${org.body}`);
  const orgId = org.json().id as number;
  const created = await t.request('POST', '/v1/keys', {
    body: { name: 'test', role: 'analyst', organisation_id: orgId },
  });
  if (created.statusCode !== 201) throw new Error(`key: ${created.statusCode} ${created.body}`);
  const key = created.json().key as string;
  const source = await t.request('POST', '/v1/sources', {
    key,
    body: {
      code: 'doe',
      name: 'Department of Environment',
      provider: 'DoE',
      licence: 'CC-BY-4.0',
      provenance: 'CAMS network',
    },
  });
  if (source.statusCode !== 201) throw new Error(`source: ${source.statusCode} ${source.body}`);
  const station = await t.request('POST', '/v1/stations', {
    key,
    body: {
      source_id: source.json().id,
      code: 'agargaon',
      name: 'Dhaka Agargaon',
      sense: 'ground_station',
      lon: 90.3795,
      lat: 23.7781,
      expected_cadence_s: 60,
    },
  });
  if (station.statusCode !== 201) throw new Error(`station: ${station.statusCode} ${station.body}`);
  const series = await t.request('POST', '/v1/series', {
    key,
    body: { station_id: station.json().id, variable: 'pm25' },
  });
  if (series.statusCode !== 201) throw new Error(`series: ${series.statusCode} ${series.body}`);
  return {
    orgId,
    key,
    sourceId: source.json().id,
    stationId: station.json().id,
    seriesId: series.json().id,
    seriesCode: series.json().code,
  };
}

/**
 * A firing threshold signal on the fixture's PM2.5 series (120 µg/m³ over a level of 75), as detection would
 * store it; `draft` says who raised it, when, its identity, and anything else that differs.
 */
export function fixtureSignal(
  f: Pick<Fixture, 'orgId' | 'seriesId' | 'stationId'>,
  draft: Pick<SignalDraft, 'raisedBy' | 'startMs' | 'dedupeKey'> & Partial<SignalDraft>,
): SignalDraft {
  return {
    organisationId: f.orgId,
    seriesId: f.seriesId,
    stationId: f.stationId,
    areaId: null,
    kind: 'threshold',
    state: 'firing',
    endMs: null,
    score: 1,
    observed: 120,
    expected: null,
    spread: null,
    unit: 'µg/m³',
    leadTimeS: null,
    sentence: 'test',
    details: { threshold: 75 },
    ...draft,
  };
}

/**
 * A Severe PM2.5 warning for the fixture's organisation, the way the platform makes one: a threshold rule on
 * its series that publishes Severe at once, one firing signal of that rule (120 µg/m³ at `nowMs`), then the
 * warning stage. Returns the rule (id and version).
 */
export async function publishSevereWarning(
  t: TestPlatform,
  f: Fixture,
  {
    nowMs = Date.now(),
    dedupeKey,
    ruleName = 'PM2.5 above 75',
    sentence = 'test',
    key = f.key,
  }: { nowMs?: number; dedupeKey: string; ruleName?: string; sentence?: string; key?: string },
): Promise<{ id: number; version: number }> {
  const created = await t.request('POST', '/v1/rules', {
    key,
    body: {
      name: ruleName,
      definition: {
        kind: 'threshold',
        select: { series: f.seriesCode },
        when: 'above',
        level: 75,
        severity: 'Severe',
        warning: { autoPublish: ['Severe'] },
      },
    },
  });
  if (created.statusCode !== 201) throw new Error(`rule: ${created.statusCode} ${created.body}`);
  const rule = created.json() as { id: number; version: number };
  const signalIds = await insertSignals(t.platform.services.database.db, [
    fixtureSignal(f, {
      raisedBy: { origin: 'rule', ruleId: rule.id, ruleVersion: rule.version },
      startMs: nowMs,
      sentence,
      dedupeKey,
    }),
  ]);
  await t.platform.services.warnings.process(signalIds, nowMs);
  return rule;
}
