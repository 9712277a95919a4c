/**
 * @module Lines of text for a page: where a paragraph may break (spaces; between CJK characters, after
 * UAX #14's rule that closing punctuation never starts a line), and the left-to-right order of the pieces
 * of one line under a subset of the Unicode Bidirectional Algorithm (UAX #9): paragraph level, isolates
 * (FSI/LRI/RLI…PDI), rules W1, W4–W7, N1–N2, I1–I2, L2 and L4 (mirrored brackets). Embeddings and
 * overrides (LRE…PDF) and Arabic-Indic digits are not handled: the warning texts use none of them.
 */

/** One piece of a line, in visual order left to right, drawn in one direction. */
export interface VisualRun {
  /** The characters in visual order (already mirrored where drawn right to left). */
  readonly text: string;
  readonly rtl: boolean;
}

type BidiClass = 'L' | 'R' | 'EN' | 'CS' | 'ES' | 'ET' | 'NSM' | 'N';

type Item =
  | { readonly kind: 'char'; readonly char: string; readonly cls: BidiClass; readonly drawn: boolean }
  | { readonly kind: 'isolate'; readonly items: Item[]; readonly rtl: boolean | null };

const LRI = '\u2066';
const RLI = '\u2067';
const FSI = '\u2068';
const PDI = '\u2069';
const LRM = '\u200e';
const RLM = '\u200f';
const ALM = '\u061c';

const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const LETTER = /\p{L}/u;
const MARK = /\p{M}/u;
const DIGIT = /\p{Nd}/u;
/** UAX #9 Table 4 classes, the members our texts can hold. */
const COMMON_SEPARATOR = new Set([',', '.', '/', ':', '\u00a0', '\u202f', '\u060c']);
const EUROPEAN_SEPARATOR = new Set(['+', '-', '\u2212']);
const EUROPEAN_TERMINATOR = new Set(['#', '$', '%', '°', '±', '€', '£', '¥', '\u2030', '\u2031', '\u066a']);

function classOf(char: string): BidiClass {
  if (char === LRM) return 'L';
  if (char === RLM || char === ALM) return 'R';
  if (MARK.test(char)) return 'NSM';
  if (RTL_LETTER.test(char) && LETTER.test(char)) return 'R';
  if (LETTER.test(char)) return 'L';
  if (DIGIT.test(char)) return 'EN';
  if (COMMON_SEPARATOR.has(char)) return 'CS';
  if (EUROPEAN_SEPARATOR.has(char)) return 'ES';
  if (EUROPEAN_TERMINATOR.has(char)) return 'ET';
  return 'N';
}

/** Splits text into characters and isolates (an unclosed isolate runs to the end; a stray PDI is dropped). */
function parse(text: string): Item[] {
  const root: Item[] = [];
  const stack: { items: Item[]; rtl: boolean | null }[] = [];
  let current = root;
  for (const char of text) {
    if (char === LRI || char === RLI || char === FSI) {
      const isolate = { items: [] as Item[], rtl: char === LRI ? false : char === RLI ? true : null };
      current.push({ kind: 'isolate', items: isolate.items, rtl: isolate.rtl });
      stack.push(isolate);
      current = isolate.items;
    } else if (char === PDI) {
      if (stack.length > 0) {
        stack.pop();
        current = stack.at(-1)?.items ?? root;
      }
    } else {
      const cls = classOf(char);
      current.push({ kind: 'char', char, cls, drawn: char !== LRM && char !== RLM && char !== ALM });
    }
  }
  return root;
}

/** UAX #9 P2–P3: the direction of the first strong character, skipping nested isolates; null when none. */
function firstStrongRtl(items: readonly Item[]): boolean | null {
  for (const item of items) {
    if (item.kind === 'char' && (item.cls === 'L' || item.cls === 'R')) return item.cls === 'R';
  }
  return null;
}

/** The direction a paragraph takes from its first strong character (left to right when there is none). */
export function isRightToLeftText(text: string): boolean {
  return firstStrongRtl(parse(text)) === true;
}

/** Resolved embedding level of each item (W1, W4–W7, N1–N2, I1–I2); isolates count as neutrals (X6a). */
function resolveLevels(items: readonly Item[], baseLevel: 0 | 1): number[] {
  const sos: BidiClass = baseLevel === 1 ? 'R' : 'L';
  const types: BidiClass[] = items.map((item) => (item.kind === 'char' ? item.cls : 'N'));
  const n = types.length;
  // W1: a mark takes the type of what it marks.
  for (let i = 0; i < n; i++) if (types[i] === 'NSM') types[i] = i === 0 ? sos : (types[i - 1] ?? sos);
  // W4: one separator between two European numbers joins them ("2.5", "08:00", "10,234").
  for (let i = 1; i < n - 1; i++) {
    const t = types[i];
    if ((t === 'CS' || t === 'ES') && types[i - 1] === 'EN' && types[i + 1] === 'EN') types[i] = 'EN';
  }
  // W5: terminators next to a number belong to it ("50%", "30°").
  for (let i = 0; i < n; i++) {
    if (types[i] !== 'ET') continue;
    let end = i;
    while (end < n && types[end] === 'ET') end++;
    if (types[i - 1] === 'EN' || types[end] === 'EN') for (let j = i; j < end; j++) types[j] = 'EN';
    i = end;
  }
  // W6: other separators and terminators are neutral.
  for (let i = 0; i < n; i++) if (types[i] === 'CS' || types[i] === 'ES' || types[i] === 'ET') types[i] = 'N';
  // W7: a number after left-to-right text (or at the start of a left-to-right paragraph) is left to right.
  let lastStrong: BidiClass = sos;
  for (let i = 0; i < n; i++) {
    const t = types[i];
    if (t === 'L' || t === 'R') lastStrong = t;
    else if (t === 'EN' && lastStrong === 'L') types[i] = 'L';
  }
  // N1–N2: neutrals between two of the same direction take it (numbers count as R), else the paragraph's.
  for (let i = 0; i < n; i++) {
    if (types[i] !== 'N') continue;
    let end = i;
    while (end < n && types[end] === 'N') end++;
    const strong = (t: BidiClass | undefined): BidiClass => (t === 'L' ? 'L' : t === undefined ? sos : 'R');
    const before = i === 0 ? sos : strong(types[i - 1]);
    const after = end === n ? sos : strong(types[end]);
    const resolved: BidiClass = before === after ? before : sos;
    for (let j = i; j < end; j++) types[j] = resolved;
    i = end;
  }
  // I1–I2.
  return types.map((t) => {
    if (baseLevel === 0) return t === 'R' ? 1 : t === 'EN' ? 2 : 0;
    return t === 'L' || t === 'EN' ? 2 : 1;
  });
}

/** Bidi_Mirrored pairs (UnicodeData BidiMirroring.txt) for the brackets our texts use. */
const MIRRORED: Readonly<Record<string, string>> = {
  '(': ')',
  ')': '(',
  '[': ']',
  ']': '[',
  '{': '}',
  '}': '{',
  '<': '>',
  '>': '<',
  '«': '»',
  '»': '«',
  '‹': '›',
  '›': '‹',
};

interface Atom {
  readonly char: string;
  readonly rtl: boolean;
}

/** L2: from the highest level down to the lowest odd one, reverse every run at that level or higher. */
function reorder<T>(items: readonly T[], levels: readonly number[]): T[] {
  const order = items.map((item, i) => ({ item, level: levels[i] ?? 0 }));
  const highest = Math.max(0, ...levels);
  const lowestOdd = levels.reduce(
    (low, level) => (level % 2 === 1 ? Math.min(low, level) : low),
    highest + 1,
  );
  for (let level = highest; level >= lowestOdd; level--) {
    let i = 0;
    while (i < order.length) {
      if ((order[i]?.level ?? 0) < level) {
        i++;
        continue;
      }
      let end = i;
      while (end < order.length && (order[end]?.level ?? 0) >= level) end++;
      const reversed = order.slice(i, end).reverse();
      order.splice(i, end - i, ...reversed);
      i = end;
    }
  }
  return order.map((entry) => entry.item);
}

function visualAtoms(items: readonly Item[], baseLevel: 0 | 1): Atom[] {
  const levels = resolveLevels(items, baseLevel);
  const withLevels = items.map((item, i) => ({ item, level: levels[i] ?? baseLevel }));
  const atoms: Atom[] = [];
  for (const { item, level } of reorder(withLevels, levels)) {
    if (item.kind === 'isolate') {
      const rtl = item.rtl ?? firstStrongRtl(item.items) ?? false;
      atoms.push(...visualAtoms(item.items, rtl ? 1 : 0));
    } else if (item.drawn) {
      const rtl = level % 2 === 1;
      atoms.push({ char: rtl ? (MIRRORED[item.char] ?? item.char) : item.char, rtl });
    }
  }
  return atoms;
}

/** The pieces of one line, left to right, each to be drawn in one direction. */
export function visualRuns(line: string, rightToLeft: boolean): VisualRun[] {
  const runs: { text: string; rtl: boolean }[] = [];
  for (const atom of visualAtoms(parse(line), rightToLeft ? 1 : 0)) {
    const last = runs.at(-1);
    if (last !== undefined && last.rtl === atom.rtl) last.text += atom.char;
    else runs.push({ text: atom.char, rtl: atom.rtl });
  }
  return runs;
}

const RTL_SCRIPT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/**
 * What to hand a shaping engine that reverses right-to-left scripts itself (fontkit, under pdfkit): a run
 * with Arabic letters goes back to logical order, so it is shaped (joined) and then reversed once; a
 * right-to-left run of neutrals only (which fontkit would leave alone) stays in visual order.
 */
export function shapingText(run: VisualRun): string {
  if (!run.rtl) return run.text;
  const logical = [...run.text].reverse().join('');
  return RTL_SCRIPT.test(logical) ? logical : run.text;
}

const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
/** UAX #14 classes CL, CP, EX, IS and the CJK full stops: never at the start of a line. */
const CLOSING = new Set([...'、。，．：；！？）」』】〕〉》”’),.:;!?]}%']);
/** UAX #14 classes OP and QU (opening): never at the end of a line. */
const OPENING = new Set([...'（「『【〔〈《“‘([{']);
const SPACE = /\s/u;

/** The paragraph cut where a line may end: after spaces, and between CJK characters. Isolates are never cut. */
export function breakSegments(text: string): string[] {
  const segments: string[] = [];
  let current = '';
  let depth = 0;
  let previous = '';
  for (const char of text) {
    const canBreak =
      current !== '' &&
      depth === 0 &&
      !SPACE.test(char) &&
      !CLOSING.has(char) &&
      !OPENING.has(previous) &&
      (SPACE.test(previous) || CJK.test(char) || CJK.test(previous));
    if (canBreak) {
      segments.push(current);
      current = '';
    }
    current += char;
    if (char === LRI || char === RLI || char === FSI) depth++;
    else if (char === PDI && depth > 0) depth--;
    previous = char;
  }
  if (current !== '') segments.push(current);
  return segments;
}

/**
 * Greedy line filling (what a reader expects of a notice; Knuth–Plass would be overkill for a page).
 * `measure` gives the width of text as drawn; a line's width is taken as the sum of its segments' (kerning
 * across a break opportunity is ignored). A segment wider than a line is cut between characters.
 */
export function wrapText(text: string, maxWidth: number, measure: (text: string) => number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    let lineWidth = 0;
    for (const segment of breakSegments(paragraph)) {
      const trimmedWidth = measure(segment.trimEnd());
      if (line !== '' && lineWidth + trimmedWidth > maxWidth) {
        lines.push(line.trimEnd());
        line = '';
        lineWidth = 0;
      }
      line += segment;
      lineWidth += measure(segment);
      if (line !== segment || trimmedWidth <= maxWidth) continue;
      // A word (a URL) longer than the line: cut it where it fills the line.
      while (measure(line.trimEnd()) > maxWidth && [...line.trimEnd()].length > 1) {
        const chars = [...line];
        let fit = 1;
        while (fit < chars.length && measure(chars.slice(0, fit + 1).join('')) <= maxWidth) fit++;
        lines.push(chars.slice(0, fit).join(''));
        line = chars.slice(fit).join('');
        lineWidth = measure(line);
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
