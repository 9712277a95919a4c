/** @module Rule routes: declarative detection rules per organisation, validated, versioned on every edit, and the presets. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { RULE_PRESETS } from '../../detect/rules/presets.ts';
import {
  areaIdsOf,
  type RuleDefinition,
  validateRuleDefinition,
} from '../../detect/rules/rule-definition.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { findArea } from '../../store/area.repository.ts';
import { createRule, latestRules, reviseRule, ruleVersions } from '../../store/rule.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { IdParam } from './route-schemas.ts';

type RuleRow = Awaited<ReturnType<typeof ruleVersions>>[number];

function ruleJson(r: RuleRow) {
  return { ...r, created_at: r.created_at.toISOString() };
}

/** A rule definition must pass the rule schema and its semantic checks; problems name their JSON pointer. */
function checkedDefinition(definition: unknown, at: string): Record<string, unknown> {
  const result = validateRuleDefinition(definition);
  if ('problems' in result) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `the rule definition is invalid: ${result.problems.map((p) => `${at}${p.pointer} ${p.reason}`).join('; ')}`,
      result.problems.map((p) => ({
        pointer: `${at}${p.pointer}`,
        field: p.pointer.split('/').pop() || 'definition',
        reason: p.reason,
      })),
    );
  }
  return result.rule as unknown as Record<string, unknown>;
}

export async function ruleRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;

  /** A rule may read only areas its author reads: its warnings would otherwise be issued for, and name, another organisation's area. */
  const readableAreasOnly = async (definition: Record<string, unknown>, readable: readonly number[]) => {
    for (const id of areaIdsOf(definition as unknown as RuleDefinition)) {
      if ((await findArea(db, id, readable)) === undefined) throw notFound(`area ${id}`);
    }
  };

  app.get(
    '/v1/rules/presets',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['rules'],
        summary: 'Rule presets with their sources (WHO 2021 air quality, water, soil, fire density)',
      },
    },
    async () => ({
      items: RULE_PRESETS,
    }),
  );

  app.get(
    '/v1/rules',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['rules'], summary: 'The latest version of every rule of your organisations' },
    },
    async (request) => ({
      items: (await latestRules(db, callerOf(request).readableOrganisationIds)).map(ruleJson),
    }),
  );

  app.get(
    '/v1/rules/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['rules'], summary: 'A rule with every version, newest first', params: IdParam },
    },
    async (request) => {
      const versions = await ruleVersions(db, request.params.id, callerOf(request).readableOrganisationIds);
      if (versions.length === 0) throw notFound(`rule ${request.params.id}`);
      return { ...ruleJson(versions[0]!), versions: versions.map(ruleJson) };
    },
  );

  app.post(
    '/v1/rules',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['rules'],
        summary: 'Create a rule (version 1), from a definition or a preset',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            definition: Type.Optional(
              Type.Unknown({ description: 'a rule definition (see GET /v1/rules/presets for examples)' }),
            ),
            preset: Type.Optional(Type.String({ description: 'the code of a preset to start from' })),
            enabled: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { name, definition, preset, enabled } = request.body;
      let source: unknown = definition;
      if (preset !== undefined) {
        const found = RULE_PRESETS.find((p) => p.code === preset);
        if (!found)
          throw new Ew4eError('EW4E_BAD_REQUEST', `no preset "${preset}"`, [
            { pointer: '/preset', field: 'preset', reason: 'unknown preset' },
          ]);
        source ??= found.rule;
      }
      if (source === undefined) {
        throw new Ew4eError('EW4E_BAD_REQUEST', 'give a definition or a preset', [
          { pointer: '/definition', field: 'definition', reason: 'required' },
        ]);
      }
      const checked = checkedDefinition(source, '/definition');
      await readableAreasOnly(checked, caller.readableOrganisationIds);
      const rule = await createRule(db, caller.organisationId, caller.keyId || null, {
        name,
        definition: checked,
        enabled: enabled ?? true,
      });
      return reply.status(201).send(ruleJson(rule));
    },
  );

  app.put(
    '/v1/rules/:id',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['rules'],
        summary: 'Edit a rule: a new version; signals keep naming the version that raised them',
        params: IdParam,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            definition: Type.Optional(Type.Unknown()),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { name, definition, enabled } = request.body;
      const checked = definition === undefined ? undefined : checkedDefinition(definition, '/definition');
      if (checked !== undefined) await readableAreasOnly(checked, caller.readableOrganisationIds);
      const revised = await reviseRule(
        db,
        request.params.id,
        caller.readableOrganisationIds,
        caller.keyId || null,
        (latest) => ({
          name: name ?? latest.name,
          definition: checked ?? latest.definition,
          enabled: enabled ?? latest.enabled,
        }),
      );
      if (!revised) throw notFound(`rule ${request.params.id}`);
      return ruleJson(revised);
    },
  );
}
