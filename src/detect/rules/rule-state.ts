/** @module The state of a rule evaluator as plain JSON: the schema a stored snapshot is checked against before an evaluator resumes from it. */
import { type Static, Type } from 'typebox';

const Ms = Type.Number({ description: 'Unix time in milliseconds' });
const MaybeMs = Type.Union([Ms, Type.Null()]);
const Numbers = Type.Array(Type.Number());

/** A trailing window (trailing-window.ts): parallel arrays, oldest slot first. */
export const WindowStateSchema = Type.Object(
  { t: Numbers, n: Numbers, sum: Numbers, min: Numbers, max: Numbers },
  { additionalProperties: false },
);

/** One series judged by a threshold condition (threshold rules, and each series of an area quorum). */
export const ThresholdSeriesState = Type.Object(
  {
    series: Type.String(),
    /** Time of the last point taken; later points only. */
    lastMs: Ms,
    active: Type.Boolean(),
    /** Since when the condition has held at every evaluation, while not yet active; null when it does not hold. */
    holdsSinceMs: MaybeMs,
    activeSinceMs: MaybeMs,
    /** The most extreme value judged while active. */
    peak: Type.Union([Type.Number(), Type.Null()]),
    window: Type.Union([WindowStateSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type ThresholdSeriesState = Static<typeof ThresholdSeriesState>;

/** One series of a rate-of-change or trend rule. */
export const WindowSeriesState = Type.Object(
  { series: Type.String(), lastMs: Ms, active: Type.Boolean(), window: WindowStateSchema },
  { additionalProperties: false },
);
export type WindowSeriesState = Static<typeof WindowSeriesState>;

/** One series of a stale rule; `seen` false while silence is counted from the first tick, no point having come yet. */
export const StaleSeriesState = Type.Object(
  { series: Type.String(), lastMs: Ms, active: Type.Boolean(), seen: Type.Boolean() },
  { additionalProperties: false },
);
export type StaleSeriesState = Static<typeof StaleSeriesState>;

export const ThresholdNodeState = Type.Object(
  { kind: Type.Literal('threshold'), series: Type.Array(ThresholdSeriesState) },
  { additionalProperties: false },
);
export const RateOfChangeNodeState = Type.Object(
  { kind: Type.Literal('rate_of_change'), series: Type.Array(WindowSeriesState) },
  { additionalProperties: false },
);
export const StaleNodeState = Type.Object(
  { kind: Type.Literal('stale'), series: Type.Array(StaleSeriesState) },
  { additionalProperties: false },
);
export const AreaQuorumNodeState = Type.Object(
  { kind: Type.Literal('area_quorum'), active: Type.Boolean(), series: Type.Array(ThresholdSeriesState) },
  { additionalProperties: false },
);
export const EventDensityNodeState = Type.Object(
  {
    kind: Type.Literal('event_density'),
    active: Type.Boolean(),
    /** The latest time seen (events and ticks). */
    clockMs: MaybeMs,
    /** The times of the latest `count` matching events, ascending. */
    times: Numbers,
  },
  { additionalProperties: false },
);
export const TrendNodeState = Type.Object(
  { kind: Type.Literal('trend'), series: Type.Array(WindowSeriesState) },
  { additionalProperties: false },
);
/** Children's states are checked by the children themselves, against their own kinds. */
export const CompositeNodeState = Type.Object(
  { kind: Type.Literal('composite'), active: Type.Boolean(), rules: Type.Array(Type.Unknown()) },
  { additionalProperties: false },
);

export type ThresholdNodeState = Static<typeof ThresholdNodeState>;
export type RateOfChangeNodeState = Static<typeof RateOfChangeNodeState>;
export type StaleNodeState = Static<typeof StaleNodeState>;
export type AreaQuorumNodeState = Static<typeof AreaQuorumNodeState>;
export type EventDensityNodeState = Static<typeof EventDensityNodeState>;
export type TrendNodeState = Static<typeof TrendNodeState>;
export type CompositeNodeState = Static<typeof CompositeNodeState>;

export type NodeState =
  | ThresholdNodeState
  | RateOfChangeNodeState
  | StaleNodeState
  | AreaQuorumNodeState
  | EventDensityNodeState
  | TrendNodeState
  | CompositeNodeState;

/**
 * What the platform stores between runs. `rule` fingerprints the definition the state was built for,
 * so that a state is never resumed under a changed rule (a new window would misread the old slots).
 */
export const RuleSnapshot = Type.Object(
  {
    kind: Type.Enum([
      'threshold',
      'rate_of_change',
      'stale',
      'area_quorum',
      'event_density',
      'trend',
      'composite',
    ]),
    version: Type.Literal(1),
    rule: Type.String(),
    state: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type RuleSnapshot = Omit<Static<typeof RuleSnapshot>, 'state'> & { readonly state: NodeState };
