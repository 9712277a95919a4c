/**
 * @module fast-check arbitraries built from a JSON Schema (the TypeBox schemas of rules, the OpenAPI document
 * of every route): values that satisfy it, and values that break it where it is strictest — one past each
 * bound, an unknown enum value, a string one longer than allowed, a member of the wrong type.
 *
 * Hand-written because fast-check has no JSON Schema arbitrary and the only packages that do (json-schema-faker)
 * generate valid data only, without shrinking; this covers the keywords our schemas use.
 */
import fc from 'fast-check';
import { hostileJson } from './mutations.ts';

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema | readonly JsonSchema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number | boolean;
  readonly exclusiveMaximum?: number | boolean;
  readonly nullable?: boolean;
}

export interface SchemaArbitraryOptions {
  /** Break the value: each node is, now and then, replaced by one just outside what the schema allows. */
  readonly broken?: boolean;
  /** Arbitraries for particular members by JSON pointer (`/definition`), for schemas too loose to generate from. */
  readonly overrides?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

/** Most items an array gets unless its schema asks for more: enough to cover loops, small enough to be fast. */
const MAX_GENERATED_ITEMS = 4;

export function schemaArbitrary(
  schema: JsonSchema,
  options: SchemaArbitraryOptions = {},
  pointer = '',
): fc.Arbitrary<unknown> {
  const override = options.overrides?.[pointer];
  if (override !== undefined) return override;
  const valid = validOf(schema, options, pointer);
  if (!options.broken) return valid;
  return fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 2, arbitrary: edgeOf(schema) },
    { weight: 1, arbitrary: hostileJson },
  );
}

function validOf(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  pointer: string,
): fc.Arbitrary<unknown> {
  const nullable = schema.nullable === true;
  const arbitrary = nonNullValidOf(schema, options, pointer);
  return nullable ? fc.oneof(arbitrary, fc.constant(null)) : arbitrary;
}

function nonNullValidOf(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  pointer: string,
): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) return fc.oneof(...branches.map((b) => schemaArbitrary(b, options, pointer)));
  if (schema.allOf !== undefined && schema.allOf.length > 0) {
    return schemaArbitrary(Object.assign({}, ...schema.allOf) as JsonSchema, options, pointer);
  }
  const type = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (type.length > 1) {
    return fc.oneof(...type.map((t) => schemaArbitrary({ ...schema, type: t }, options, pointer)));
  }
  switch (type[0]) {
    case 'object':
      return objectOf(schema, options, pointer);
    case 'array':
      return arrayOf(schema, options, pointer);
    case 'string':
      return stringOf(schema);
    case 'integer':
      return integerOf(schema);
    case 'number':
      return numberOf(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // No type: the schema says nothing (a free-form member), so anything JSON goes.
      return schema.properties !== undefined
        ? objectOf(schema, options, pointer)
        : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  pointer: string,
): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    model[name] = schemaArbitrary(property, options, `${pointer}/${name}`);
  }
  const required = (schema.required ?? []).filter((name) => name in properties);
  const record = fc.record(model, { requiredKeys: required });
  if (!options.broken) return record;
  // Broken: now and then a required member goes missing or an unknown one joins.
  return fc.tuple(record, fc.nat(), fc.nat({ max: 9 })).map(([value, pick, how]) => {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (how === 0 && required.length > 0) delete copy[required[pick % required.length]!];
    if (how === 1) copy[`unknown_${pick % 3}`] = pick;
    return copy;
  });
}

function arrayOf(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  pointer: string,
): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.items)) {
    const tuple = schema.items as readonly JsonSchema[];
    return fc.tuple(...tuple.map((item, i) => schemaArbitrary(item, options, `${pointer}/${i}`)));
  }
  const item = (schema.items ?? {}) as JsonSchema;
  const minLength = schema.minItems ?? 0;
  const maxLength = Math.max(
    minLength,
    Math.min(schema.maxItems ?? MAX_GENERATED_ITEMS, MAX_GENERATED_ITEMS),
  );
  const items = schemaArbitrary(item, options, `${pointer}/0`);
  if (schema.uniqueItems && !options.broken) {
    return fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) });
  }
  return fc.array(items, { minLength, maxLength });
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Math.max(minLength, 40);
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  switch (schema.format) {
    case 'date-time':
      return fc
        .date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'uri':
      return fc.webUrl({ validSchemes: ['http', 'https'] }).filter(fits);
    default:
      break;
  }
  if (schema.pattern !== undefined) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    } catch {
      // fast-check cannot generate from lookarounds: plain strings, which such a pattern mostly refuses.
    }
  }
  return fc.string({ unit: 'grapheme-composite', minLength, maxLength: Math.min(maxLength, minLength + 30) });
}

function lowerBound(schema: JsonSchema): { value: number; excluded: boolean } | undefined {
  if (typeof schema.exclusiveMinimum === 'number') return { value: schema.exclusiveMinimum, excluded: true };
  if (schema.minimum === undefined) return undefined;
  return { value: schema.minimum, excluded: schema.exclusiveMinimum === true };
}

function upperBound(schema: JsonSchema): { value: number; excluded: boolean } | undefined {
  if (typeof schema.exclusiveMaximum === 'number') return { value: schema.exclusiveMaximum, excluded: true };
  if (schema.maximum === undefined) return undefined;
  return { value: schema.maximum, excluded: schema.exclusiveMaximum === true };
}

function integerOf(schema: JsonSchema): fc.Arbitrary<number> {
  const low = lowerBound(schema);
  const high = upperBound(schema);
  const min =
    low === undefined
      ? -1_000_000
      : Math.ceil(low.value) + (low.excluded && Number.isInteger(low.value) ? 1 : 0);
  const max =
    high === undefined
      ? min + 1_000_000
      : Math.floor(high.value) - (high.excluded && Number.isInteger(high.value) ? 1 : 0);
  // Small values are the interesting ones (ids of the fixture, counts near the bounds).
  return fc.oneof(
    fc.integer({ min, max: Math.min(max, min + 20) }),
    fc.integer({ min: Math.max(min, max - 5), max }),
    fc.integer({ min, max }),
  );
}

function numberOf(schema: JsonSchema): fc.Arbitrary<number> {
  const low = lowerBound(schema);
  const high = upperBound(schema);
  return fc.double({
    min: low?.value ?? -1e9,
    max: high?.value ?? 1e9,
    minExcluded: low?.excluded ?? false,
    maxExcluded: high?.excluded ?? false,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/** Values just outside what the schema allows (or of another type). */
function edgeOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const edges: unknown[] = [null, [], {}, 'x'];
  if (schema.enum !== undefined || schema.const !== undefined) {
    const known = schema.enum ?? [schema.const];
    for (const value of known) {
      if (typeof value === 'string')
        edges.push(value.toLowerCase(), value.toUpperCase(), ` ${value}`, `${value}_x`);
    }
  }
  const low = lowerBound(schema);
  const high = upperBound(schema);
  if (low !== undefined) edges.push(low.value - 1, low.value - 1e-9, low.value, String(low.value));
  if (high !== undefined) edges.push(high.value + 1, high.value + 1e-9, high.value, 2 ** 31, 2 ** 53 + 2);
  if (schema.type === 'integer') edges.push(1.5, -1, 0, '1', 1e21);
  if (schema.type === 'number') edges.push('1', 1e308, -1e308);
  if (schema.type === 'string' || schema.pattern !== undefined || schema.format !== undefined) {
    edges.push('', 1, ' ', '\u0000', '\uD800', '😀'.repeat(50));
    if (schema.maxLength !== undefined) edges.push('a'.repeat(schema.maxLength + 1));
    if (schema.minLength !== undefined && schema.minLength > 0) edges.push('a'.repeat(schema.minLength - 1));
    if (schema.format === 'date-time')
      edges.push('2026-02-30T00:00:00Z', '2026-11-20', '+275760-09-13T00:00:00Z');
    if (schema.format === 'uri')
      edges.push('file:///etc/passwd', 'http://', 'javascript:alert(1)', 'http://[::1');
  }
  if (schema.type === 'array') {
    if (schema.maxItems !== undefined) edges.push(Array.from({ length: schema.maxItems + 1 }, () => 0));
    if (schema.minItems !== undefined && schema.minItems > 0) edges.push([]);
  }
  return fc.constantFrom(...edges);
}
