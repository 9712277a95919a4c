/**
 * @module Structure-aware breaking of valid input for the fuzz properties: a valid document is generated, then
 * a few edits are applied — on its text (lines or cells swapped, quotes unbalanced, a BOM, CRLF, cuts,
 * hostile tokens, deep nesting) or on its parsed JSON (wrong types, huge numbers, extra or missing members).
 * fast-check shrinks the edit list and the document, so a counterexample comes back small.
 */
import fc from 'fast-check';

/** Text that has broken parsers before: numbers beyond double, JSON/CSV/XML syntax, odd Unicode, huge cells. */
export const HOSTILE_TOKENS: readonly string[] = [
  '"',
  '""',
  "'",
  ',',
  ';',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\uFEFF',
  '\u0000',
  '\u0007',
  '\uD800',
  '\uDFFF',
  '\uFFFE',
  '\u202E',
  '\u200B',
  'e\u0301',
  '😀',
  '𝔘𝔫𝔦',
  'ß',
  'İ',
  '٣',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e400',
  '-1e400',
  '1e-400',
  '9007199254740993',
  '0x10',
  '1,5',
  '.',
  '-',
  '+',
  'e5',
  '1e',
  '00',
  '2026-02-30T00:00:00Z',
  '2026-12-31T23:59:60Z',
  '9999-12-31T23:59:59.999999999+23:59',
  '0000-01-01T00:00:00-23:59',
  '2026-11-20T08:00:00',
  '{',
  '}',
  '[',
  ']',
  ':',
  'null',
  'true',
  '{}',
  '[]',
  '__proto__',
  'constructor',
  'toString',
  '\\',
  '\\u',
  '\\ud800',
  '<',
  '>',
  '&',
  '&amp;',
  '&amp;lt;',
  '&lt;',
  '&#0;',
  '&#x110000;',
  '&#xD800;',
  '&nbsp;',
  '&undefined;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '<!ENTITY e SYSTEM "file:///etc/passwd">',
  '&b;',
  '<a xmlns:p="urn:x">',
  '</a>',
  '<p:alert>',
  'xmlns=""',
  ' xml:base="javascript:alert(1)"',
  '%',
  '%zz',
  '%E0%A4%A',
  '\u2028',
];

/** Long runs: enormous cells, attribute values and names, deep nesting. */
const LONG_TOKENS: readonly (() => string)[] = [
  () => 'x'.repeat(20_000),
  () => '9'.repeat(400),
  () => `0.${'0'.repeat(400)}1`,
  () => '['.repeat(2_000),
  () => `${'['.repeat(2_000)}${']'.repeat(2_000)}`,
  () => '{"a":'.repeat(1_000),
  () => '<a>'.repeat(1_000),
  () => `<a b="${'v'.repeat(20_000)}">`,
  () => `"${'\\"'.repeat(200)}"`,
  () => '\n'.repeat(5_000),
  () => ','.repeat(5_000),
];

export const hostileToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom(...HOSTILE_TOKENS) },
  { weight: 10, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  // Rare: long tokens cost a parser milliseconds, and the budget is 10⁵ cases in about a minute.
  { weight: 1, arbitrary: fc.constantFrom(...LONG_TOKENS).map((make) => make()) },
);

type TextEdit =
  | { readonly kind: 'insert'; readonly at: number; readonly token: string }
  | { readonly kind: 'replace'; readonly at: number; readonly length: number; readonly token: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'swapLines'; readonly a: number; readonly b: number }
  | { readonly kind: 'swapCells'; readonly line: number; readonly a: number; readonly b: number }
  | { readonly kind: 'crlf' }
  | { readonly kind: 'bom' }
  | { readonly kind: 'nest'; readonly depth: number; readonly open: string; readonly close: string };

const position = fc.nat({ max: 1_000_000 });

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert'), at: position, token: hostileToken }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('replace'),
      at: position,
      length: fc.integer({ min: 1, max: 12 }),
      token: hostileToken,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete'),
      at: position,
      length: fc.integer({ min: 1, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('duplicate'),
      at: position,
      length: fc.integer({ min: 1, max: 200 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate'), at: position }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swapLines'), a: position, b: position }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('swapCells'), line: position, a: position, b: position }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'crlf' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 1_000 }),
        fc.constantFrom(['[', ']'], ['{"a":', '}'], ['<a>', '</a>'], ['"', '"']),
      )
      .map(([depth, [open, close]]) => ({ kind: 'nest' as const, depth, open: open!, close: close! })),
  },
);

function applyTextEdit(text: string, edit: TextEdit): string {
  const n = text.length;
  switch (edit.kind) {
    case 'insert': {
      const at = n === 0 ? 0 : edit.at % (n + 1);
      return text.slice(0, at) + edit.token + text.slice(at);
    }
    case 'replace': {
      const at = n === 0 ? 0 : edit.at % n;
      return text.slice(0, at) + edit.token + text.slice(at + edit.length);
    }
    case 'delete': {
      const at = n === 0 ? 0 : edit.at % n;
      return text.slice(0, at) + text.slice(at + edit.length);
    }
    case 'duplicate': {
      const at = n === 0 ? 0 : edit.at % n;
      const piece = text.slice(at, at + edit.length);
      return text.slice(0, at) + piece + piece + text.slice(at + edit.length);
    }
    case 'truncate':
      return text.slice(0, n === 0 ? 0 : edit.at % n);
    case 'swapLines': {
      const lines = text.split('\n');
      const a = edit.a % lines.length;
      const b = edit.b % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'swapCells': {
      const lines = text.split('\n');
      const l = edit.line % lines.length;
      const cells = lines[l]!.split(',');
      const a = edit.a % cells.length;
      const b = edit.b % cells.length;
      [cells[a], cells[b]] = [cells[b]!, cells[a]!];
      lines[l] = cells.join(',');
      return lines.join('\n');
    }
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n');
    case 'bom':
      return `\uFEFF${text}`;
    case 'nest':
      return edit.open.repeat(edit.depth) + text + edit.close.repeat(edit.depth);
    default: {
      const unreachable: never = edit;
      throw new TypeError(`unknown edit ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The valid text, or (most of the time) the text after one to four hostile edits. */
export function brokenText(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.array(textEdit, { minLength: 0, maxLength: 4 }))
    .map(([text, edits]) => edits.reduce(applyTextEdit, text));
}

// ---------------------------------------------------------------------------------------------------------
// JSON values

/** Values of the wrong type or out of every range a schema could state. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -0,
      -1,
      1.5,
      2_147_483_648,
      -2_147_483_649,
      9_007_199_254_740_994,
      1e308,
      -1e308,
      5e-324,
      '',
      ' ',
      '0',
      '1',
      'true',
      'NaN',
      '1e400',
      '2026-11-20T08:00:00Z',
      'not-a-date',
      '\u0000',
      '\uD800',
      '😀',
      '__proto__',
      {},
      [],
      [[]],
      { __proto__: 1 },
      JSON.parse('{"__proto__":{"polluted":1}}'),
      { type: 'Point', coordinates: [0, 0] },
      { type: 'FeatureCollection', features: [] },
    ),
  },
  { weight: 10, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<() => unknown>(
        () => 'x'.repeat(20_000),
        () => JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)),
        () => Array.from({ length: 5_000 }, () => 0),
      )
      .map((make) => make()),
  },
);

type JsonEdit =
  | { readonly kind: 'set'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'remove'; readonly at: number }
  | { readonly kind: 'extra'; readonly at: number; readonly key: string; readonly value: unknown };

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: hostileJson }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: position }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      at: position,
      key: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'type', 'id', ''),
        fc.string({ maxLength: 8 }),
      ),
      value: hostileJson,
    }),
  },
);

type Slot = { readonly parent: unknown[] | Record<string, unknown>; readonly key: string | number };

/** Every place a value sits in the tree (members and array items), in document order. */
function slotsOf(root: unknown, into: Slot[] = []): Slot[] {
  if (Array.isArray(root)) {
    root.forEach((item, i) => {
      into.push({ parent: root, key: i });
      slotsOf(item, into);
    });
  } else if (typeof root === 'object' && root !== null) {
    const object = root as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      into.push({ parent: object, key });
      slotsOf(object[key], into);
    }
  }
  return into;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function applyJsonEdit(root: unknown, original: JsonEdit): unknown {
  // Hostile values are shared constants: each edit places its own copy, so that no tree becomes a cycle.
  const edit = 'value' in original ? { ...original, value: structuredClone(original.value) } : original;
  const slots = slotsOf(root);
  if (edit.kind === 'set' && slots.length === 0) return edit.value;
  const objects = [root, ...slots.map((s) => (s.parent as Record<string | number, unknown>)[s.key])].filter(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
  );
  switch (edit.kind) {
    case 'set': {
      const slot = slots[edit.at % slots.length]!;
      if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = edit.value;
      else setOwn(slot.parent, slot.key as string, edit.value);
      return root;
    }
    case 'remove': {
      if (slots.length === 0) return root;
      const slot = slots[edit.at % slots.length]!;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      return root;
    }
    case 'extra': {
      const target = objects[edit.at % Math.max(1, objects.length)];
      if (target !== undefined) setOwn(target, edit.key, edit.value);
      return root;
    }
    default: {
      const unreachable: never = edit;
      throw new TypeError(`unknown edit ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The valid value, or (most of the time) a copy with one to three members set to hostile values, removed,
 * or joined by unexpected ones. The valid value is never changed in place (fast-check reuses it to shrink).
 */
export function brokenJson<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(jsonEdit, { minLength: 0, maxLength: 3 }))
    .map(([value, edits]) => edits.reduce(applyJsonEdit, structuredClone(value) as unknown));
}

/** A JSON document, broken as a value and then, sometimes, as text. */
export function brokenJsonText<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<string> {
  return brokenText(brokenJson(valid).map((value) => JSON.stringify(value) ?? 'undefined'));
}
