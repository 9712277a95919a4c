/**
 * @module The words of a warning: CAP `event`, `headline`, `description` and `instruction` (CAP 1.2
 * §3.2.2) written from the facts of a warning in the six UN languages. Numbers and times are formatted
 * here once, with Intl, and handed to each language's templates ready to print.
 */
import type { CapCertainty, CapSeverity, CapUrgency } from '../cap/cap-alert.ts';
import { findHazard, type HazardCode } from '../hazards.ts';
import { AR } from './templates/ar.ts';
import { EN } from './templates/en.ts';
import { ES } from './templates/es.ts';
import { FR } from './templates/fr.ts';
import {
  type Count,
  isolate,
  type LanguagePack,
  type LeadTime,
  type Moment,
  type Reading,
} from './templates/language-pack.ts';
import { RU } from './templates/ru.ts';
import { ZH } from './templates/zh.ts';

export const WARNING_LANGUAGES = ['en', 'fr', 'es', 'ar', 'ru', 'zh'] as const;
export type WarningLanguage = (typeof WARNING_LANGUAGES)[number];

export function isWarningLanguage(tag: string): tag is WarningLanguage {
  return (WARNING_LANGUAGES as readonly string[]).includes(tag);
}

/**
 * The longest headline we write. CAP 1.2 §3.2.2 asks for a headline "brief" enough for text
 * messaging (160 characters); the Google Public Alerts CAP profile advises 140. Counted in UTF-16
 * units, which is never fewer than the characters a reader sees.
 */
export const MAX_HEADLINE_LENGTH = 140;

export interface WarningFacts {
  readonly hazard: HazardCode;
  readonly msgType: 'Alert' | 'Update' | 'Cancel';
  readonly severity: CapSeverity;
  readonly urgency: CapUrgency;
  readonly certainty: CapCertainty;
  /** The area's name as people know it, in any script. */
  readonly areaName: string;
  /** What was measured, when the warning comes from a series: label is a symbol like "PM2.5", unit an SI symbol like "µg/m³". */
  readonly measurement: {
    readonly label: string;
    readonly value: number;
    readonly unit: string;
    readonly level: number | null;
  } | null;
  /** How many reports and detections, when the warning comes from events (e.g. 14 fire detections). */
  readonly eventCount: number | null;
  readonly onsetMs: number;
  readonly expiresMs: number;
  /** IANA zone of the area for local times; UTC when null (or when the zone is not one Intl knows). */
  readonly timeZone: string | null;
  /** Forecast warnings: how far ahead the level is expected to be crossed. */
  readonly leadTimeS: number | null;
  /** People living in the area (exposure). */
  readonly population: number | null;
  /** A second sense confirmed it (e.g. satellite fire and a ground smoke report). */
  readonly corroborated: boolean;
  /** Upgrade/downgrade/unchanged relative to the previous version, for Updates. */
  readonly change: 'escalated' | 'deescalated' | 'extended' | null;
}

export interface WarningWords {
  readonly event: string;
  readonly headline: string;
  readonly description: string;
  readonly instruction: string;
}

const PACKS: Readonly<Record<WarningLanguage, LanguagePack>> = {
  en: EN,
  fr: FR,
  es: ES,
  ar: AR,
  ru: RU,
  zh: ZH,
};

/** The hazard's name in a language, e.g. for feed titles. */
export function hazardName(hazard: HazardCode, language: WarningLanguage): string {
  return PACKS[language].hazardNames[hazard];
}

/** Severity word in a language ("Severe" → "Grave", "شديد", …). */
export function severityName(severity: CapSeverity, language: WarningLanguage): string {
  return PACKS[language].severityNames[severity];
}

/** The CAP `event`, `headline`, `description` and `instruction` of a warning in one language. */
export function warningWords(facts: WarningFacts, language: WarningLanguage): WarningWords {
  const hazard = findHazard(facts.hazard);
  if (hazard === undefined) throw new TypeError(`warningWords: unknown hazard "${facts.hazard}"`);
  const pack = PACKS[language];
  const zone = zoneOf(facts.timeZone);
  const name = cleanText(facts.areaName) || pack.unnamedArea;
  const place = embed(pack, name);
  const reading = readingOf(facts.measurement, pack, pack.hazardNames[facts.hazard]);
  const s = pack.sentences;

  const headline = fitHeadline(name, pack, (placeText) => {
    switch (facts.msgType) {
      case 'Alert':
        return pack.headlines.alert(facts.hazard, facts.severity, placeText);
      case 'Update':
        return pack.headlines.update(facts.hazard, facts.severity, placeText, facts.change);
      case 'Cancel':
        return pack.headlines.cancel(facts.hazard, placeText);
    }
  });

  if (facts.msgType === 'Cancel') {
    const description = [s.lifted(facts.hazard, place)];
    if (reading !== null) description.push(s.latest(reading));
    return {
      event: pack.hazardNames[facts.hazard],
      headline,
      description: description.join(pack.sentenceGap),
      instruction: pack.noFurtherAction,
    };
  }

  const onset = momentOf(facts.onsetMs, zone, pack);
  const expires = momentOf(facts.expiresMs, zone, pack);
  const lead = leadTimeOf(facts.leadTimeS, pack);
  const count = countOf(facts.eventCount, pack);
  const population = countOf(facts.population, pack);

  const description: string[] = [];
  if (facts.msgType === 'Update') description.push(s.updated(facts.change, facts.severity));
  if (reading !== null && lead !== null) description.push(s.forecast(reading, place, lead, onset));
  else if (reading !== null) description.push(s.measured(reading, place, onset));
  else if (lead !== null) description.push(s.expected(facts.hazard, place, lead, onset));
  else if (count !== null) description.push(s.counted(facts.hazard, count, place, onset));
  else description.push(s.reported(facts.hazard, place, onset));
  // The count is told on its own only when the opening sentence told a value or a lead time instead.
  if (count !== null && (reading !== null || lead !== null)) description.push(s.alsoCounted(count));
  if (population !== null) description.push(s.population(population));
  if (facts.corroborated) description.push(s.corroborated);
  description.push(s.until(expires));

  const instruction = [pack.instructions[facts.hazard].advice];
  if (facts.severity === 'Severe' || facts.severity === 'Extreme') {
    instruction.push(pack.instructions[facts.hazard].severe);
  }
  if (facts.severity === 'Extreme') instruction.push(pack.extreme[hazard.onset]);

  return {
    event: pack.hazardNames[facts.hazard],
    headline,
    description: description.join(pack.sentenceGap),
    instruction: instruction.join(pack.sentenceGap),
  };
}

/** In right-to-left text every inserted run is isolated; elsewhere it is printed as it is. */
function embed(pack: LanguagePack, text: string): string {
  return pack.rightToLeft ? isolate(text) : text;
}

/**
 * Outside text (area names, labels, units) loses its control characters: C0/C1 controls break XML
 * and SMS, and stray bidi controls could reorder the words around them (Trojan Source, CVE-2021-42574).
 */
function cleanText(text: string): string {
  let out = '';
  for (const char of text) out += isUnsafe(char.codePointAt(0) ?? 0) ? ' ' : char;
  return out.replace(/\s+/g, ' ').trim();
}

function isUnsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Shortens the place name (never the words around it) until the headline fits, ending it with "…". */
function fitHeadline(name: string, pack: LanguagePack, build: (place: string) => string): string {
  let chars = Array.from(name);
  let headline = build(embed(pack, name));
  while (headline.length > MAX_HEADLINE_LENGTH && chars.length > 0) {
    // Dropping as many code points as there are excess UTF-16 units always drops enough units.
    chars = chars.slice(0, Math.max(0, chars.length - (headline.length - MAX_HEADLINE_LENGTH) - 1));
    headline = build(embed(pack, `${chars.join('').trimEnd()}…`));
  }
  return headline;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

type NumberStyle = 'measurement' | 'level' | 'integer';

const NUMBER_OPTIONS: Record<NumberStyle, Intl.NumberFormatOptions> = {
  measurement: { maximumSignificantDigits: 3 },
  level: { maximumFractionDigits: 2 },
  integer: { maximumFractionDigits: 0 },
};

function numberText(pack: LanguagePack, value: number, style: NumberStyle): string {
  const key = `${pack.locale}|${style}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(pack.locale, NUMBER_OPTIONS[style]);
    numberFormats.set(key, format);
  }
  // -0 would print as "-0".
  return format.format(value === 0 ? 0 : value);
}

function readingOf(
  measurement: WarningFacts['measurement'],
  pack: LanguagePack,
  fallbackLabel: string,
): Reading | null {
  if (measurement === null || !Number.isFinite(measurement.value)) return null;
  const value = numberText(pack, measurement.value, 'measurement');
  const unit = cleanText(measurement.unit);
  const level = measurement.level;
  return {
    label: embed(pack, cleanText(measurement.label) || fallbackLabel),
    quantity: embed(pack, unit === '' ? value : `${value} ${unit}`),
    level: level !== null && Number.isFinite(level) ? embed(pack, numberText(pack, level, 'level')) : null,
  };
}

/** A positive whole number (event count, population) with its text; anything else is left unsaid. */
function countOf(value: number | null, pack: LanguagePack): Count | null {
  if (value === null || !Number.isFinite(value)) return null;
  const n = Math.round(value);
  return n > 0 ? { n, text: embed(pack, numberText(pack, n, 'integer')) } : null;
}

const MINUTE_S = 60;
const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/** The lead time in minutes under an hour, in hours under two days, in days beyond. */
function leadTimeOf(seconds: number | null, pack: LanguagePack): LeadTime | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return null;
  const [unit, n]: [LeadTime['unit'], number] =
    seconds < HOUR_S
      ? ['minute', Math.max(1, Math.round(seconds / MINUTE_S))]
      : seconds < 2 * DAY_S
        ? ['hour', Math.round(seconds / HOUR_S)]
        : ['day', Math.round(seconds / DAY_S)];
  return { unit, n, text: embed(pack, numberText(pack, n, 'integer')) };
}

interface Zone {
  /** What Intl is given. */
  readonly id: string;
  /** What the reader is shown: the IANA name as the area gave it. */
  readonly label: string;
}

const UTC: Zone = { id: 'UTC', label: 'UTC' };

interface MomentFormats {
  readonly date: Intl.DateTimeFormat;
  readonly clock: Intl.DateTimeFormat;
}

const momentFormats = new Map<string, MomentFormats>();

/** Formatters for a locale and zone, or undefined when Intl does not know the zone. */
function momentFormatsOf(locale: string, timeZone: string): MomentFormats | undefined {
  const key = `${locale}|${timeZone}`;
  let formats = momentFormats.get(key);
  if (formats !== undefined) return formats;
  try {
    formats = {
      date: new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric' }),
      // h23, not hour12: false, which some ICU versions read as h24 and print midnight as 24:00.
      clock: new Intl.DateTimeFormat(locale, {
        timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
    };
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  momentFormats.set(key, formats);
  return formats;
}

/** A warning is better published in UTC than not at all, so an unknown zone falls back to UTC. */
function zoneOf(timeZone: string | null): Zone {
  const id = timeZone?.trim() ?? '';
  if (id === '' || momentFormatsOf('en', id) === undefined) return UTC;
  return { id, label: id };
}

const DATE_NUMBERS: ReadonlySet<string> = new Set(['day', 'month', 'year', 'relatedYear']);

function momentOf(ms: number, zone: Zone, pack: LanguagePack): Moment {
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new RangeError(`warningWords: ${ms} is not a time`);
  }
  const formats = momentFormatsOf(pack.locale, zone.id);
  if (formats === undefined) throw new RangeError(`warningWords: unknown time zone ${zone.id}`);
  const date = formats.date
    .formatToParts(ms)
    // Only the digits of an Arabic date are isolated: its month name is Arabic already.
    .map((part) =>
      DATE_NUMBERS.has(part.type) && /\d/.test(part.value) ? embed(pack, part.value) : part.value,
    )
    .join('')
    // ICU puts U+202F in some literals («2024 г.») and V8's format() swaps it for a plain space while
    // formatToParts() does not; a no-break space keeps the words together and is more widely supported.
    .replace(/\u202f/g, '\u00a0');
  const clockParts = formats.clock.formatToParts(ms);
  const hour = Number(clockParts.find((part) => part.type === 'hour')?.value ?? 0);
  return {
    date,
    clock: embed(pack, clockParts.map((part) => part.value).join('')),
    zone: embed(pack, zone.label),
    hour,
  };
}
