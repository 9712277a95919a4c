/** @module The rule engine: evaluates one rule incrementally over observations, events and clock ticks, with bounded memory and a state that serialises to plain JSON. */
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { BBox } from '../../registry/area.ts';
import { mannKendall, senSlope } from './mann-kendall.ts';
import {
  type AreaQuorumRule,
  type CompositeRule,
  DEFAULT_ALPHA,
  DEFAULT_CADENCE_S,
  DEFAULT_TREND_MIN_POINTS,
  type EventDensityRule,
  type RateOfChangeRule,
  RuleDefinition,
  type RuleKind,
  ruleProblems,
  type SeriesSelector,
  type StaleRule,
  type ThresholdRule,
  type TrendRule,
} from './rule-definition.ts';
import {
  AreaQuorumNodeState,
  CompositeNodeState,
  EventDensityNodeState,
  type NodeState,
  RateOfChangeNodeState,
  RuleSnapshot,
  StaleNodeState,
  type StaleSeriesState,
  ThresholdNodeState,
  TrendNodeState,
  type WindowSeriesState,
} from './rule-state.ts';
import { cleared, firing, type RuleTransition } from './rule-transition.ts';
import { ThresholdTracker } from './threshold-tracker.ts';
import { TrailingWindow } from './trailing-window.ts';

/**
 * One observation of one series, as the platform feeds it: values that passed quality control (a
 * non-finite value is no data and is ignored), each series in ascending time (a point at or before the
 * series' last one is ignored: history is never rewritten).
 */
export interface ObservationInput {
  /** The series' code or id: per-series rules keep their state, and name their transitions, by it. */
  readonly series: string;
  readonly variable: string;
  /** The areas the series' station lies in. */
  readonly areas: readonly number[];
  readonly timeMs: number;
  readonly value: number;
}

/** One event (a fire detection, a forest-loss alert); `lon`/`lat` a representative point, for bbox rules. */
export interface EventInput {
  readonly kind: string;
  readonly timeMs: number;
  readonly areas: readonly number[];
  readonly lon?: number;
  readonly lat?: number;
}

/**
 * Evaluates one rule. Every call returns the transitions it caused (often none), in a stable order.
 * Inputs a rule does not read are ignored (observations by event-density rules, events by the others,
 * ticks by rules judged only when data comes). Cross-series rules (composite, area_quorum) judge the
 * latest state of each series in the order inputs arrive, so feed them in time order for exact times.
 */
export interface RuleEvaluator {
  readonly kind: RuleKind;
  observe(input: ObservationInput): RuleTransition[];
  observeEvent(input: EventInput): RuleTransition[];
  /** The platform's clock: what makes silence (stale), age (area_quorum maxAgeS) and windows of events slide. */
  tick(nowMs: number): RuleTransition[];
  /** Whether the rule is firing now (for per-series rules: for any series). */
  isActive(): boolean;
  /** The whole state as plain JSON; `createRuleEvaluator(def, snapshot)` resumes exactly here. */
  snapshot(): RuleSnapshot;
}

/**
 * An evaluator of `def`, fresh or resumed from `snapshot`.
 *
 * @throws RangeError when `def` does not fit the schema or has ruleProblems, or when the snapshot was taken
 *   of another rule (kind or definition) or is malformed.
 */
export function createRuleEvaluator(def: RuleDefinition, snapshot?: RuleSnapshot): RuleEvaluator {
  if (!Value.Check(RuleDefinition, def)) {
    throw new RangeError('not a rule definition: check it with validateRuleDefinition first');
  }
  const problems = ruleProblems(def);
  if (problems.length > 0) {
    throw new RangeError(
      `unusable rule: ${problems.map((p) => `${p.pointer || '/'} ${p.reason}`).join('; ')}`,
    );
  }
  const fingerprint = canonicalJson(def);
  let state: unknown;
  if (snapshot !== undefined) {
    if (!Value.Check(RuleSnapshot, snapshot)) throw new RangeError('malformed rule snapshot');
    if (snapshot.kind !== def.kind) {
      throw new RangeError(`cannot resume a ${def.kind} rule from a ${snapshot.kind} snapshot`);
    }
    if (snapshot.rule !== fingerprint) {
      throw new RangeError('the snapshot was taken of another definition of this rule');
    }
    state = snapshot.state;
  }
  const node = createNode(def, state);
  return {
    kind: def.kind,
    observe(input) {
      checkTime(input.timeMs, 'observation');
      const out: RuleTransition[] = [];
      if (Number.isFinite(input.value)) node.observe(input, out);
      return out;
    },
    observeEvent(input) {
      checkTime(input.timeMs, 'event');
      const out: RuleTransition[] = [];
      node.observeEvent(input, out);
      return out;
    },
    tick(nowMs) {
      checkTime(nowMs, 'tick');
      const out: RuleTransition[] = [];
      node.tick(nowMs, out);
      return out;
    },
    isActive: () => node.isActive(),
    snapshot: () => ({ kind: def.kind, version: 1, rule: fingerprint, state: node.state() }),
  };
}

function checkTime(timeMs: number, what: string): void {
  if (!Number.isFinite(timeMs))
    throw new RangeError(`${what} time must be a finite number of ms, got ${timeMs}`);
}

/** JSON with object keys sorted: the same definition always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A rule, or a sub-rule of a composite; transitions are appended to `out`. */
interface RuleNode {
  observe(input: ObservationInput, out: RuleTransition[]): void;
  observeEvent(input: EventInput, out: RuleTransition[]): void;
  tick(nowMs: number, out: RuleTransition[]): void;
  isActive(): boolean;
  state(): NodeState;
}

function createNode(def: RuleDefinition, state: unknown): RuleNode {
  switch (def.kind) {
    case 'threshold':
      return new ThresholdNode(def, restore(ThresholdNodeState, state, def.kind));
    case 'rate_of_change':
      return new RateOfChangeNode(def, restore(RateOfChangeNodeState, state, def.kind));
    case 'stale':
      return new StaleNode(def, restore(StaleNodeState, state, def.kind));
    case 'area_quorum':
      return new AreaQuorumNode(def, restore(AreaQuorumNodeState, state, def.kind));
    case 'event_density':
      return new EventDensityNode(def, restore(EventDensityNodeState, state, def.kind));
    case 'trend':
      return new TrendNode(def, restore(TrendNodeState, state, def.kind));
    case 'composite':
      return new CompositeNode(def, restore(CompositeNodeState, state, def.kind));
    default: {
      const unreachable: never = def;
      throw new TypeError(`unknown rule kind ${String((unreachable as { kind: unknown }).kind)}`);
    }
  }
}

function restore<T extends TSchema>(schema: T, state: unknown, kind: RuleKind): Static<T> | undefined {
  if (state === undefined) return undefined;
  if (!Value.Check(schema, state)) throw new RangeError(`snapshot state does not fit a ${kind} rule`);
  return state;
}

function selects(selector: SeriesSelector, input: ObservationInput): boolean {
  if ('series' in selector) return input.series === selector.series;
  return (
    input.variable === selector.variable &&
    (selector.area === undefined || input.areas.includes(selector.area))
  );
}

/** Per-series states keyed by series, in the order series first came (snapshots keep the order). */
function keyed<T>(entries: readonly T[], keyOf: (entry: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of entries) map.set(keyOf(entry), entry);
  if (map.size !== entries.length) throw new RangeError('snapshot state names a series twice');
  return map;
}

function anyActive(states: Iterable<{ readonly active: boolean }>): boolean {
  for (const s of states) if (s.active) return true;
  return false;
}

const NO_EVENTS = (_input: EventInput, _out: RuleTransition[]): void => {};
const NO_TICKS = (_nowMs: number, _out: RuleTransition[]): void => {};
const NO_OBSERVATIONS = (_input: ObservationInput, _out: RuleTransition[]): void => {};

/**
 * threshold: each selected series judged by its own ThresholdTracker (threshold-tracker.ts).
 * Memory per series: ⌈windowS / cadenceS⌉ + 1 slots with an aggregate, else a few numbers.
 */
class ThresholdNode implements RuleNode {
  readonly #def: ThresholdRule;
  readonly #trackers: Map<string, ThresholdTracker>;

  constructor(def: ThresholdRule, state: ThresholdNodeState | undefined) {
    this.#def = def;
    const trackers = (state?.series ?? []).map((s) => new ThresholdTracker(def, s.series, s));
    this.#trackers = keyed(trackers, (t) => t.series);
  }

  observe(input: ObservationInput, out: RuleTransition[]): void {
    if (!selects(this.#def.select, input)) return;
    let tracker = this.#trackers.get(input.series);
    if (tracker === undefined) {
      tracker = new ThresholdTracker(this.#def, input.series);
      this.#trackers.set(input.series, tracker);
    }
    const transition = tracker.observe(input.timeMs, input.value);
    if (transition !== null) out.push(transition);
  }

  observeEvent = NO_EVENTS;
  tick = NO_TICKS;

  isActive(): boolean {
    return anyActive(this.#trackers.values());
  }

  state(): ThresholdNodeState {
    return { kind: 'threshold', series: [...this.#trackers.values()].map((t) => t.snapshot()) };
  }
}

/** A series with a trailing window, for rate-of-change and trend rules. */
interface WindowSeries {
  readonly series: string;
  lastMs: number;
  active: boolean;
  readonly window: TrailingWindow;
}

function windowSeriesOf(state: WindowSeriesState, cadenceMs: number): WindowSeries {
  return {
    series: state.series,
    lastMs: state.lastMs,
    active: state.active,
    window: new TrailingWindow(cadenceMs, state.window),
  };
}

function windowSeriesState(s: WindowSeries): WindowSeriesState {
  return { series: s.series, lastMs: s.lastMs, active: s.active, window: s.window.snapshot() };
}

/**
 * rate_of_change: the change ending at each point, over the window [t − windowS, t]: rising = value − the
 * window's lowest, falling = the window's highest − value (so a rise counts wherever in the window it
 * began). Fires at the first point whose change exceeds maxChange in the rule's direction, clears at the
 * first point where it no longer does. `observed` is signed (negative when falling).
 * Memory per series: ⌈windowS / cadenceS⌉ + 1 slots.
 */
class RateOfChangeNode implements RuleNode {
  readonly #def: RateOfChangeRule;
  readonly #cadenceMs: number;
  readonly #series: Map<string, WindowSeries>;

  constructor(def: RateOfChangeRule, state: RateOfChangeNodeState | undefined) {
    this.#def = def;
    this.#cadenceMs = (def.cadenceS ?? DEFAULT_CADENCE_S) * 1000;
    const series = (state?.series ?? []).map((s) => windowSeriesOf(s, this.#cadenceMs));
    this.#series = keyed(series, (s) => s.series);
  }

  observe(input: ObservationInput, out: RuleTransition[]): void {
    if (!selects(this.#def.select, input)) return;
    let s = this.#series.get(input.series);
    if (s === undefined) {
      s = {
        series: input.series,
        lastMs: -Infinity,
        active: false,
        window: new TrailingWindow(this.#cadenceMs),
      };
      this.#series.set(input.series, s);
    }
    const { timeMs: t, value } = input;
    if (!(t > s.lastMs)) return;
    s.lastMs = t;
    const { windowS, maxChange, direction } = this.#def;
    s.window.add(t, value);
    s.window.dropBefore(t - windowS * 1000, false);
    const low = s.window.extreme('min')!;
    const high = s.window.extreme('max')!;
    const rise = value - low.value;
    const fall = high.value - value;
    const risingWins = direction === 'rising' || (direction === 'either' && rise >= fall);
    const change = risingWins ? rise : -fall;
    const from = risingWins ? low : high;
    const holds = Math.abs(change) > maxChange;
    if (holds === s.active) return;
    s.active = holds;
    const detail = { from: from.value, to: value, spanS: (t - from.timeMs) / 1000 };
    const threshold = change < 0 ? -maxChange : maxChange;
    out.push((holds ? firing : cleared)(t, s.series, change, threshold, windowS, detail));
  }

  observeEvent = NO_EVENTS;
  tick = NO_TICKS;

  isActive(): boolean {
    return anyActive(this.#series.values());
  }

  state(): RateOfChangeNodeState {
    return { kind: 'rate_of_change', series: [...this.#series.values()].map(windowSeriesState) };
  }
}

/**
 * stale: fires on the first tick at or after lastTime + maxSilenceS, never on data (only the platform's
 * clock knows that silence is real: one series' data may arrive in a batch long after another's), and
 * clears at the series' next point. A rule naming one series counts its silence from the first tick when
 * the series has never reported; a variable selector learns its series as they report.
 * Memory: three numbers per series ever seen.
 */
class StaleNode implements RuleNode {
  readonly #def: StaleRule;
  readonly #series: Map<string, StaleSeriesState>;

  constructor(def: StaleRule, state: StaleNodeState | undefined) {
    this.#def = def;
    this.#series = keyed(
      (state?.series ?? []).map((s) => ({ ...s })),
      (s) => s.series,
    );
  }

  observe(input: ObservationInput, out: RuleTransition[]): void {
    if (!selects(this.#def.select, input)) return;
    const t = input.timeMs;
    const s = this.#series.get(input.series);
    if (s === undefined) {
      this.#series.set(input.series, { series: input.series, lastMs: t, active: false, seen: true });
      return;
    }
    // A series never heard from takes its first point whenever it was taken; afterwards only later points.
    if (s.seen && !(t > s.lastMs)) return;
    const silentS = Math.max(0, t - s.lastMs) / 1000;
    s.lastMs = t;
    s.seen = true;
    if (!s.active) return;
    s.active = false;
    out.push(cleared(t, s.series, silentS, this.#def.maxSilenceS, null, {}));
  }

  observeEvent = NO_EVENTS;

  tick(nowMs: number, out: RuleTransition[]): void {
    const select = this.#def.select;
    if ('series' in select && !this.#series.has(select.series)) {
      this.#series.set(select.series, { series: select.series, lastMs: nowMs, active: false, seen: false });
    }
    const maxSilenceMs = this.#def.maxSilenceS * 1000;
    for (const s of this.#series.values()) {
      if (s.active || nowMs - s.lastMs < maxSilenceMs) continue;
      s.active = true;
      const detail = s.seen ? { lastObservationMs: s.lastMs } : { neverSeen: 1 };
      out.push(firing(nowMs, s.series, (nowMs - s.lastMs) / 1000, this.#def.maxSilenceS, null, detail));
    }
  }

  isActive(): boolean {
    return anyActive(this.#series.values());
  }

  state(): StaleNodeState {
    return { kind: 'stale', series: [...this.#series.values()].map((s) => ({ ...s })) };
  }
}

/**
 * area_quorum: every series of the variable in the area is judged by its own ThresholdTracker; the rule
 * holds while at least `count` of them are active, counting only series whose last point is at most
 * maxAgeS old at the time of the input (observation or tick). `observed` is how many are active.
 * Memory: one tracker per series of the area (see threshold).
 */
class AreaQuorumNode implements RuleNode {
  readonly #def: AreaQuorumRule;
  readonly #trackers: Map<string, ThresholdTracker>;
  #active: boolean;

  constructor(def: AreaQuorumRule, state: AreaQuorumNodeState | undefined) {
    this.#def = def;
    const trackers = (state?.series ?? []).map((s) => new ThresholdTracker(def.condition, s.series, s));
    this.#trackers = keyed(trackers, (t) => t.series);
    this.#active = state?.active ?? false;
  }

  observe(input: ObservationInput, out: RuleTransition[]): void {
    if (input.variable !== this.#def.variable || !input.areas.includes(this.#def.area)) return;
    let tracker = this.#trackers.get(input.series);
    if (tracker === undefined) {
      tracker = new ThresholdTracker(this.#def.condition, input.series);
      this.#trackers.set(input.series, tracker);
    }
    tracker.observe(input.timeMs, input.value);
    this.#settle(input.timeMs, out);
  }

  observeEvent = NO_EVENTS;

  tick(nowMs: number, out: RuleTransition[]): void {
    this.#settle(nowMs, out);
  }

  #settle(nowMs: number, out: RuleTransition[]): void {
    const maxAgeMs = this.#def.maxAgeS === undefined ? Number.POSITIVE_INFINITY : this.#def.maxAgeS * 1000;
    let fresh = 0;
    let satisfied = 0;
    for (const tracker of this.#trackers.values()) {
      if (nowMs - tracker.lastMs > maxAgeMs) continue;
      fresh++;
      if (tracker.active) satisfied++;
    }
    const holds = satisfied >= this.#def.count;
    if (holds === this.#active) return;
    this.#active = holds;
    const windowS = this.#def.condition.aggregate?.windowS ?? null;
    out.push((holds ? firing : cleared)(nowMs, null, satisfied, this.#def.count, windowS, { series: fresh }));
  }

  isActive(): boolean {
    return this.#active;
  }

  state(): AreaQuorumNodeState {
    return {
      kind: 'area_quorum',
      active: this.#active,
      series: [...this.#trackers.values()].map((t) => t.snapshot()),
    };
  }
}

/**
 * event_density: at least `count` matching events in (now − windowS, now], where now is the latest time
 * seen (events and ticks: late events are common, satellites deliver hours after the overpass). Only the
 * latest `count` event times decide that, so only they are kept. Fires and clears at `now`, on the event
 * or tick that reveals the change. Memory: `count` numbers.
 */
class EventDensityNode implements RuleNode {
  readonly #def: EventDensityRule;
  readonly #times: number[];
  #clockMs: number | null;
  #active: boolean;

  constructor(def: EventDensityRule, state: EventDensityNodeState | undefined) {
    this.#def = def;
    this.#times = [...(state?.times ?? [])];
    if (this.#times.length > def.count)
      throw new RangeError('snapshot state holds more events than the rule counts');
    this.#clockMs = state?.clockMs ?? null;
    this.#active = state?.active ?? false;
  }

  observe = NO_OBSERVATIONS;

  observeEvent(input: EventInput, out: RuleTransition[]): void {
    if (!eventMatches(this.#def, input)) return;
    const times = this.#times;
    let i = times.length;
    while (i > 0 && times[i - 1]! > input.timeMs) i--;
    times.splice(i, 0, input.timeMs);
    if (times.length > this.#def.count) times.shift();
    this.tick(input.timeMs, out);
  }

  tick(nowMs: number, out: RuleTransition[]): void {
    const now = this.#clockMs === null ? nowMs : Math.max(this.#clockMs, nowMs);
    this.#clockMs = now;
    const since = now - this.#def.windowS * 1000;
    let inWindow = 0;
    for (const t of this.#times) if (t > since && t <= now) inWindow++;
    const holds = inWindow >= this.#def.count;
    if (holds === this.#active) return;
    this.#active = holds;
    const first = this.#times[0]!;
    const last = this.#times[this.#times.length - 1]!;
    const detail = holds ? { firstEventMs: first, spanS: (last - first) / 1000 } : {};
    out.push((holds ? firing : cleared)(now, null, inWindow, this.#def.count, this.#def.windowS, detail));
  }

  isActive(): boolean {
    return this.#active;
  }

  state(): EventDensityNodeState {
    return { kind: 'event_density', active: this.#active, clockMs: this.#clockMs, times: [...this.#times] };
  }
}

function eventMatches(def: EventDensityRule, e: EventInput): boolean {
  if (e.kind !== def.eventKind) return false;
  if (def.area !== undefined && !e.areas.includes(def.area)) return false;
  if (def.bbox !== undefined)
    return e.lon !== undefined && e.lat !== undefined && inBBox(def.bbox, e.lon, e.lat);
  return true;
}

/** RFC 7946 §5.2: a box whose west edge is east of its east edge crosses the antimeridian. */
function inBBox([minLon, minLat, maxLon, maxLat]: BBox, lon: number, lat: number): boolean {
  if (lat < minLat || lat > maxLat) return false;
  return minLon <= maxLon ? lon >= minLon && lon <= maxLon : lon >= minLon || lon <= maxLon;
}

/** A Julian year, the unit trend slopes are reported in. */
const YEAR_MS = 365.25 * 86_400_000;

/**
 * trend: at each point, once the window holds minPoints slots, the Mann-Kendall test over the slot means
 * in time order (mann-kendall.ts). Holds while the two-sided p < alpha, S points the rule's way, and
 * |Sen's slope| per year reaches minSlopePerYear (when set). `observed` is Sen's slope per year. With
 * fewer than minPoints slots (gaps emptied the window) nothing is judged and the state stays.
 * Memory per series: min(points, ⌈windowS / cadenceS⌉ + 1) slots, at most MAX_TREND_POINTS.
 */
class TrendNode implements RuleNode {
  readonly #def: TrendRule;
  readonly #cadenceMs: number;
  readonly #series: Map<string, WindowSeries>;

  constructor(def: TrendRule, state: TrendNodeState | undefined) {
    this.#def = def;
    this.#cadenceMs = (def.cadenceS ?? DEFAULT_CADENCE_S) * 1000;
    const series = (state?.series ?? []).map((s) => windowSeriesOf(s, this.#cadenceMs));
    this.#series = keyed(series, (s) => s.series);
  }

  observe(input: ObservationInput, out: RuleTransition[]): void {
    const def = this.#def;
    if (!selects(def.select, input)) return;
    let s = this.#series.get(input.series);
    if (s === undefined) {
      s = {
        series: input.series,
        lastMs: -Infinity,
        active: false,
        window: new TrailingWindow(this.#cadenceMs),
      };
      this.#series.set(input.series, s);
    }
    const t = input.timeMs;
    if (!(t > s.lastMs)) return;
    s.lastMs = t;
    const window = s.window;
    window.add(t, input.value);
    if (def.windowS !== undefined) window.dropBefore(t - def.windowS * 1000, true);
    if (def.points !== undefined) window.keepLast(def.points);
    const n = window.length;
    if (n < (def.minPoints ?? DEFAULT_TREND_MIN_POINTS)) return;

    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = window.timeAt(i);
      values[i] = window.meanAt(i);
    }
    const mk = mannKendall(values);
    const alpha = def.alpha ?? DEFAULT_ALPHA;
    const declining = def.direction === 'decline';
    let holds = (declining ? mk.s < 0 : mk.s > 0) && mk.pValue < alpha;
    // Sen's slope costs O(n² log n): only when it decides or is reported.
    let slopePerYear: number | null = null;
    const slope = () => {
      slopePerYear ??= senSlope(times, values) * YEAR_MS;
      return slopePerYear;
    };
    const minSlope = def.minSlopePerYear;
    if (holds && minSlope !== undefined) holds = declining ? slope() <= -minSlope : slope() >= minSlope;
    if (holds === s.active) return;
    s.active = holds;
    const threshold = minSlope === undefined ? null : declining ? -minSlope : minSlope;
    const detail = { pValue: mk.pValue, alpha, z: mk.z, s: mk.s, tau: mk.tau, n };
    out.push((holds ? firing : cleared)(t, s.series, slope(), threshold, def.windowS ?? null, detail));
  }

  observeEvent = NO_EVENTS;
  tick = NO_TICKS;

  isActive(): boolean {
    return anyActive(this.#series.values());
  }

  state(): TrendNodeState {
    return { kind: 'trend', series: [...this.#series.values()].map(windowSeriesState) };
  }
}

/**
 * composite: every input goes to every sub-rule; a sub-rule counts as active while it fires (for a
 * per-series sub-rule, for any of its series). `and` holds while all do, `or` while any does. Only the
 * composite's own transitions come out, stamped with the time of the input that changed it; `observed`
 * is how many sub-rules are active. Memory: the sum of its sub-rules'.
 */
class CompositeNode implements RuleNode {
  readonly #def: CompositeRule;
  readonly #rules: RuleNode[];
  #active: boolean;

  constructor(def: CompositeRule, state: CompositeNodeState | undefined) {
    this.#def = def;
    if (state !== undefined && state.rules.length !== def.rules.length) {
      throw new RangeError(
        `snapshot state has ${state.rules.length} sub-rules, the rule ${def.rules.length}`,
      );
    }
    this.#rules = def.rules.map((child, i) => createNode(child, state?.rules[i]));
    this.#active = state?.active ?? false;
  }

  observe(input: ObservationInput, out: RuleTransition[]): void {
    const inner: RuleTransition[] = [];
    for (const rule of this.#rules) rule.observe(input, inner);
    this.#settle(input.timeMs, out);
  }

  observeEvent(input: EventInput, out: RuleTransition[]): void {
    const inner: RuleTransition[] = [];
    for (const rule of this.#rules) rule.observeEvent(input, inner);
    this.#settle(input.timeMs, out);
  }

  tick(nowMs: number, out: RuleTransition[]): void {
    const inner: RuleTransition[] = [];
    for (const rule of this.#rules) rule.tick(nowMs, inner);
    this.#settle(nowMs, out);
  }

  #settle(atMs: number, out: RuleTransition[]): void {
    const total = this.#rules.length;
    let active = 0;
    for (const rule of this.#rules) if (rule.isActive()) active++;
    const holds = this.#def.op === 'and' ? active === total : active > 0;
    if (holds === this.#active) return;
    this.#active = holds;
    const threshold = this.#def.op === 'and' ? total : 1;
    out.push((holds ? firing : cleared)(atMs, null, active, threshold, null, { rules: total }));
  }

  isActive(): boolean {
    return this.#active;
  }

  state(): CompositeNodeState {
    return { kind: 'composite', active: this.#active, rules: this.#rules.map((r) => r.state()) };
  }
}
