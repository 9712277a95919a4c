/** @module Declarative detection rules: the TypeBox schema of every rule kind, and the semantic checks a schema cannot express. */
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { WarningPolicy } from '../../warn/warning-policy.ts';

/*
 * A rule is content only: the platform stores it with its id, version and owner. Times are whole
 * seconds (the `S` suffix), levels are in the unit of the series the rule reads (the variable's
 * canonical unit, src/registry/variables.ts).
 */

/** Points of one series closer than this share a slot of a trailing window (see trailing-window.ts). */
export const DEFAULT_CADENCE_S = 60;
/** The most slots one trailing window of one series may need: a year of hourly slots fits. */
export const MAX_WINDOW_SLOTS = 10_000;
/** Mann-Kendall and Sen's slope are O(n²) per evaluation, so trend windows stay small. */
export const MAX_TREND_POINTS = 1000;
/** Composites nest at most this deep (a composite in a composite in a composite). */
export const MAX_COMPOSITE_DEPTH = 3;
export const MAX_COMPOSITE_RULES = 8;
/** An event-density rule keeps the times of its latest `count` events, so `count` bounds its memory. */
export const MAX_EVENT_COUNT = 10_000;
/** Fifty years: long enough for soil trends, short enough that milliseconds stay exact integers. */
export const MAX_WINDOW_S = 50 * 365 * 86_400;
/** Significance level of the trend test when a rule names none. */
export const DEFAULT_ALPHA = 0.05;
/** Hirsch et al. (1982): the normal approximation of Mann-Kendall's S is adequate from about 10 points. */
export const DEFAULT_TREND_MIN_POINTS = 10;
export const MIN_TREND_POINTS = 4;

const Seconds = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_WINDOW_S, description });
const AreaId = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'id of a registered area' });
const VariableCode = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'variable code (src/registry/variables.ts)',
});

/** CAP 1.2 §3.2.1 `severity`, for the warning a firing rule may lead to ('Unknown' is the absence of this field). */
export const Severity = Type.Enum(['Minor', 'Moderate', 'Severe', 'Extreme']);
export type Severity = Static<typeof Severity>;

const commonProperties = {
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  severity: Type.Optional(Severity),
  warning: Type.Optional(WarningPolicy),
};

/** Which series a per-series rule reads: one series by its code, or every series of a variable (in an area). */
export const SeriesSelector = Type.Union(
  [
    Type.Object({ series: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    Type.Object({ variable: VariableCode, area: Type.Optional(AreaId) }, { additionalProperties: false }),
  ],
  { description: '{ series } or { variable, area? }' },
);
export type SeriesSelector = Static<typeof SeriesSelector>;

export const AggregateFn = Type.Enum(['mean', 'max', 'min', 'sum']);
export type AggregateFn = Static<typeof AggregateFn>;

/** An aggregate over the trailing window (t − windowS, t] of one series, such as a 24-hour mean. */
export const Aggregate = Type.Object(
  {
    fn: AggregateFn,
    windowS: Seconds('length of the trailing window'),
    cadenceS: Type.Optional(
      Seconds(
        `the window is kept in epoch-aligned slots of this length (default ${DEFAULT_CADENCE_S}); exact while no slot holds more than one point`,
      ),
    ),
    minCoverage: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: "share of the window's slots that must hold data, else the aggregate is unknown",
      }),
    ),
  },
  { additionalProperties: false },
);
export type Aggregate = Static<typeof Aggregate>;

export const Comparison = Type.Enum(['above', 'below']);
export type Comparison = Static<typeof Comparison>;

const conditionProperties = {
  aggregate: Type.Optional(Aggregate),
  when: Comparison,
  level: Type.Number({ description: 'fires when the value is strictly above (below) this level' }),
  forS: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_WINDOW_S,
      description: 'how long the condition must hold before firing (default 0)',
    }),
  ),
  clearAt: Type.Optional(
    Type.Number({ description: 'hysteresis: an active condition clears at this level (default `level`)' }),
  ),
};

/** The condition of a threshold, on its own: what every series of an area quorum is judged by. */
export const ThresholdCondition = Type.Object(conditionProperties, { additionalProperties: false });
export type ThresholdCondition = Static<typeof ThresholdCondition>;

export const ThresholdRule = Type.Object(
  { kind: Type.Literal('threshold'), select: SeriesSelector, ...conditionProperties, ...commonProperties },
  { additionalProperties: false },
);
export type ThresholdRule = Static<typeof ThresholdRule>;

export const ChangeDirection = Type.Enum(['rising', 'falling', 'either']);
export type ChangeDirection = Static<typeof ChangeDirection>;

export const RateOfChangeRule = Type.Object(
  {
    kind: Type.Literal('rate_of_change'),
    select: SeriesSelector,
    windowS: Seconds('the change is measured over the trailing window [t − windowS, t]'),
    maxChange: Type.Number({ exclusiveMinimum: 0, description: 'in the series unit' }),
    direction: ChangeDirection,
    cadenceS: Type.Optional(Seconds(`slot length of the window (default ${DEFAULT_CADENCE_S})`)),
    ...commonProperties,
  },
  { additionalProperties: false },
);
export type RateOfChangeRule = Static<typeof RateOfChangeRule>;

export const StaleRule = Type.Object(
  {
    kind: Type.Literal('stale'),
    select: SeriesSelector,
    maxSilenceS: Seconds('fires on a clock tick this long after the last observation'),
    ...commonProperties,
  },
  { additionalProperties: false },
);
export type StaleRule = Static<typeof StaleRule>;

export const AreaQuorumRule = Type.Object(
  {
    kind: Type.Literal('area_quorum'),
    variable: VariableCode,
    area: AreaId,
    count: Type.Integer({ minimum: 1, maximum: 10_000, description: 'k: how many series must satisfy' }),
    condition: ThresholdCondition,
    maxAgeS: Type.Optional(
      Seconds('a series whose last observation is older than this does not count (default: no limit)'),
    ),
    ...commonProperties,
  },
  { additionalProperties: false },
);
export type AreaQuorumRule = Static<typeof AreaQuorumRule>;

const Longitude = Type.Number({ minimum: -180, maximum: 180 });
const Latitude = Type.Number({ minimum: -90, maximum: 90 });

export const EventDensityRule = Type.Object(
  {
    kind: Type.Literal('event_density'),
    eventKind: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    area: Type.Optional(AreaId),
    bbox: Type.Optional(
      Type.Tuple([Longitude, Latitude, Longitude, Latitude], {
        description:
          '[minLon, minLat, maxLon, maxLat] (RFC 7946 §5); minLon > maxLon crosses the antimeridian',
      }),
    ),
    count: Type.Integer({ minimum: 1, maximum: MAX_EVENT_COUNT }),
    windowS: Seconds('trailing window (t − windowS, t]'),
    ...commonProperties,
  },
  { additionalProperties: false },
);
export type EventDensityRule = Static<typeof EventDensityRule>;

export const TrendDirection = Type.Enum(['decline', 'rise']);
export type TrendDirection = Static<typeof TrendDirection>;

export const TrendRule = Type.Object(
  {
    kind: Type.Literal('trend'),
    select: SeriesSelector,
    direction: TrendDirection,
    windowS: Type.Optional(Seconds('trailing window (t − windowS, t]')),
    points: Type.Optional(
      Type.Integer({ minimum: MIN_TREND_POINTS, maximum: MAX_TREND_POINTS, description: 'the last N slots' }),
    ),
    cadenceS: Type.Optional(Seconds(`points of one slot are averaged (default ${DEFAULT_CADENCE_S})`)),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.5, description: 'default 0.05' })),
    minPoints: Type.Optional(
      Type.Integer({
        minimum: MIN_TREND_POINTS,
        maximum: MAX_TREND_POINTS,
        description: `default ${DEFAULT_TREND_MIN_POINTS}`,
      }),
    ),
    minSlopePerYear: Type.Optional(
      Type.Number({ minimum: 0, description: "|Sen's slope| per year must reach this too (default 0)" }),
    ),
    ...commonProperties,
  },
  { additionalProperties: false },
);
export type TrendRule = Static<typeof TrendRule>;

/** Every kind but composite. */
export const LeafRule = Type.Union([
  ThresholdRule,
  RateOfChangeRule,
  StaleRule,
  AreaQuorumRule,
  EventDensityRule,
  TrendRule,
]);
export type LeafRule = Static<typeof LeafRule>;

export const CompositeOp = Type.Enum(['and', 'or']);
export type CompositeOp = Static<typeof CompositeOp>;

function compositeOf<T extends TSchema>(child: T) {
  return Type.Object(
    {
      kind: Type.Literal('composite'),
      op: CompositeOp,
      rules: Type.Array(child, { minItems: 2, maxItems: MAX_COMPOSITE_RULES }),
      ...commonProperties,
    },
    { additionalProperties: false },
  );
}

// JSON Schema has no depth limit for recursive references, so the three levels are spelt out.
const Composite1 = compositeOf(LeafRule);
const Composite2 = compositeOf(Type.Union([LeafRule, Composite1]));
export const CompositeRule = compositeOf(Type.Union([LeafRule, Composite2]));
export type CompositeRule = Static<typeof CompositeRule>;

export const RuleDefinition = Type.Union([
  ThresholdRule,
  RateOfChangeRule,
  StaleRule,
  AreaQuorumRule,
  EventDensityRule,
  TrendRule,
  CompositeRule,
]);
export type RuleDefinition = Static<typeof RuleDefinition>;
export type RuleKind = RuleDefinition['kind'];

export const RULE_KINDS: readonly RuleKind[] = Object.freeze([
  'threshold',
  'rate_of_change',
  'stale',
  'area_quorum',
  'event_density',
  'trend',
  'composite',
]);

const LEAF_SCHEMAS: Readonly<Record<LeafRule['kind'], TSchema>> = {
  threshold: ThresholdRule,
  rate_of_change: RateOfChangeRule,
  stale: StaleRule,
  area_quorum: AreaQuorumRule,
  event_density: EventDensityRule,
  trend: TrendRule,
};

// The composite envelope alone; its children are checked one by one so that problems name them.
const CompositeShell = Type.Object(
  {
    kind: Type.Literal('composite'),
    op: CompositeOp,
    rules: Type.Array(Type.Unknown(), { minItems: 2, maxItems: MAX_COMPOSITE_RULES }),
    ...commonProperties,
  },
  { additionalProperties: false },
);

/** A problem with a rule, at the RFC 6901 JSON pointer of the field ('' for the rule as a whole). */
export interface RuleProblem {
  readonly pointer: string;
  readonly reason: string;
}

/** Slots a trailing window of `windowS` in slots of `cadenceS` can hold at most (see trailing-window.ts). */
export function windowSlotBound(windowS: number, cadenceS: number): number {
  return Math.ceil(windowS / cadenceS) + 1;
}

/**
 * What is wrong with a rule beyond its schema: hysteresis on the wrong side, windows shorter than their
 * slots or needing too many, an event area given twice, a trend without a window. Empty when usable.
 */
export function ruleProblems(def: RuleDefinition): RuleProblem[] {
  const problems: RuleProblem[] = [];
  checkRule(def, '', 1, problems);
  return problems;
}

function checkRule(def: RuleDefinition, at: string, depth: number, problems: RuleProblem[]): void {
  const problem = (pointer: string, reason: string) => problems.push({ pointer: at + pointer, reason });
  switch (def.kind) {
    case 'threshold':
      checkCondition(def, at, problems);
      return;
    case 'area_quorum':
      checkCondition(def.condition, `${at}/condition`, problems);
      return;
    case 'rate_of_change':
      checkWindow(def.windowS, def.cadenceS, MAX_WINDOW_SLOTS, at, problems);
      return;
    case 'stale':
      return;
    case 'event_density': {
      if (def.area !== undefined && def.bbox !== undefined) problem('/bbox', 'give area or bbox, not both');
      if (def.bbox !== undefined && def.bbox[1] > def.bbox[3])
        problem('/bbox', 'minLat must not exceed maxLat');
      return;
    }
    case 'trend': {
      if (def.windowS === undefined && def.points === undefined) {
        problem('', 'give windowS, points or both');
        return;
      }
      const cadenceS = def.cadenceS ?? DEFAULT_CADENCE_S;
      let bound = def.points ?? Number.POSITIVE_INFINITY;
      if (def.windowS !== undefined) {
        if (def.windowS < cadenceS) problem('/windowS', `must be at least cadenceS (${cadenceS} s)`);
        const slots = windowSlotBound(def.windowS, cadenceS);
        if (def.points === undefined && slots > MAX_TREND_POINTS) {
          problem(
            '/cadenceS',
            `the window may hold ${slots} slots, more than ${MAX_TREND_POINTS}: raise cadenceS or give points`,
          );
        }
        bound = Math.min(bound, slots);
      }
      const minPoints = def.minPoints ?? DEFAULT_TREND_MIN_POINTS;
      if (minPoints > bound) problem('/minPoints', `must not exceed the ${bound} slots the window can hold`);
      return;
    }
    case 'composite': {
      if (depth > MAX_COMPOSITE_DEPTH) {
        problem('', `composites nest at most ${MAX_COMPOSITE_DEPTH} deep`);
        return;
      }
      def.rules.forEach((child, i) => {
        checkRule(child, `${at}/rules/${i}`, depth + 1, problems);
      });
      return;
    }
    default: {
      const unreachable: never = def;
      throw new TypeError(
        `ruleProblems: unknown rule kind ${String((unreachable as { kind: unknown }).kind)}`,
      );
    }
  }
}

function checkCondition(condition: ThresholdCondition, at: string, problems: RuleProblem[]): void {
  const { when, level, clearAt, aggregate } = condition;
  if (clearAt !== undefined) {
    if (when === 'above' && clearAt > level) {
      problems.push({
        pointer: `${at}/clearAt`,
        reason: 'must not be above level: a rule firing above a level clears at or below it',
      });
    }
    if (when === 'below' && clearAt < level) {
      problems.push({
        pointer: `${at}/clearAt`,
        reason: 'must not be below level: a rule firing below a level clears at or above it',
      });
    }
  }
  if (aggregate !== undefined) {
    checkWindow(aggregate.windowS, aggregate.cadenceS, MAX_WINDOW_SLOTS, `${at}/aggregate`, problems);
  }
}

function checkWindow(
  windowS: number,
  cadenceS: number | undefined,
  maxSlots: number,
  at: string,
  problems: RuleProblem[],
): void {
  const cadence = cadenceS ?? DEFAULT_CADENCE_S;
  if (windowS < cadence) {
    problems.push({ pointer: `${at}/windowS`, reason: `must be at least cadenceS (${cadence} s)` });
  }
  const slots = windowSlotBound(windowS, cadence);
  if (slots > maxSlots) {
    problems.push({
      pointer: `${at}/cadenceS`,
      reason: `the window may hold ${slots} slots, more than ${maxSlots}: raise cadenceS`,
    });
  }
}

/**
 * Checks an untrusted value (a request body, a stored row) against the schema and then `ruleProblems`.
 * Problems name JSON pointers; a composite's children are checked one by one so that a problem deep in
 * the tree names its own place rather than "matches no schema".
 */
export function validateRuleDefinition(
  value: unknown,
): { readonly rule: RuleDefinition } | { readonly problems: readonly RuleProblem[] } {
  const problems: RuleProblem[] = [];
  checkShape(value, '', 1, problems);
  if (problems.length > 0) return { problems };
  if (!Value.Check(RuleDefinition, value)) {
    // Unreachable while checkShape mirrors the schema; kept so a drift between them cannot pass bad rules.
    return { problems: [{ pointer: '', reason: 'does not match the rule schema' }] };
  }
  const semantic = ruleProblems(value);
  return semantic.length > 0 ? { problems: semantic } : { rule: value };
}

function checkShape(value: unknown, at: string, depth: number, problems: RuleProblem[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ pointer: at, reason: 'must be an object' });
    return;
  }
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'composite') {
    if (depth > MAX_COMPOSITE_DEPTH) {
      problems.push({ pointer: at, reason: `composites nest at most ${MAX_COMPOSITE_DEPTH} deep` });
      return;
    }
    const before = problems.length;
    schemaProblems(CompositeShell, value, at, problems);
    if (problems.length > before) return;
    (value as { rules: unknown[] }).rules.forEach((child, i) => {
      checkShape(child, `${at}/rules/${i}`, depth + 1, problems);
    });
    return;
  }
  const schema = typeof kind === 'string' ? LEAF_SCHEMAS[kind as LeafRule['kind']] : undefined;
  if (schema === undefined || !Object.hasOwn(LEAF_SCHEMAS, kind as string)) {
    problems.push({ pointer: `${at}/kind`, reason: `must be one of ${RULE_KINDS.join(', ')}` });
    return;
  }
  schemaProblems(schema, value, at, problems);
}

/** TypeBox's errors, with a union's branch-by-branch complaints folded into one problem at the union. */
function schemaProblems(schema: TSchema, value: unknown, at: string, problems: RuleProblem[]): void {
  const errors = Value.Errors(schema, value);
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/anyOf/`);
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'boolean') continue; // repeats an additionalProperties error
    if (unions.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const pointer = at + error.instancePath;
    const reason =
      error.keyword === 'anyOf'
        ? `must be ${(schemaAt(schema, error.schemaPath)?.description as string | undefined) ?? 'one of the allowed shapes'}`
        : error.message;
    const key = `${pointer}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ pointer, reason });
  }
}

/** The sub-schema a TypeBox `schemaPath` (`#/properties/select`) names, for its description. */
function schemaAt(schema: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = schema;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (part === '') continue;
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined;
}

/** The ids of the registered areas a rule reads (its selectors, quorum and event-density areas, its children's). */
export function areaIdsOf(def: RuleDefinition): number[] {
  switch (def.kind) {
    case 'threshold':
    case 'rate_of_change':
    case 'stale':
    case 'trend':
      return 'area' in def.select && def.select.area !== undefined ? [def.select.area] : [];
    case 'area_quorum':
      return [def.area];
    case 'event_density':
      return def.area === undefined ? [] : [def.area];
    case 'composite':
      return [...new Set(def.rules.flatMap((child) => areaIdsOf(child as RuleDefinition)))];
    default: {
      const unreachable: never = def;
      throw new TypeError(`areaIdsOf: unknown rule kind ${String((unreachable as { kind: unknown }).kind)}`);
    }
  }
}

/**
 * The rule with every variable selector, quorum and event-density area set to `area`: how a preset
 * written for any place becomes the rule of one place. Selectors naming one series are left alone.
 */
export function scopeRuleToArea<R extends RuleDefinition>(def: R, area: number): R {
  return scope(def, area) as R;
}

function scope(def: RuleDefinition, area: number): RuleDefinition {
  switch (def.kind) {
    case 'threshold':
    case 'rate_of_change':
    case 'stale':
    case 'trend':
      return 'series' in def.select ? def : { ...def, select: { variable: def.select.variable, area } };
    case 'area_quorum':
      return { ...def, area };
    case 'event_density': {
      const { bbox: _bbox, ...rest } = def;
      return { ...rest, area };
    }
    case 'composite':
      return { ...def, rules: def.rules.map((child) => scope(child, area)) } as RuleDefinition;
    default: {
      const unreachable: never = def;
      throw new TypeError(
        `scopeRuleToArea: unknown rule kind ${String((unreachable as { kind: unknown }).kind)}`,
      );
    }
  }
}
