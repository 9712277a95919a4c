/**
 * @module What one language must say about a warning: hazard and severity names, headline forms, the
 * sentences of a description and the protective actions of an instruction. The pieces handed to a
 * language are already formatted for it (numbers, dates) and, for right-to-left text, already isolated.
 */
import type { CapSeverity } from '../../cap/cap-alert.ts';
import type { HazardCode, HazardOnset } from '../../hazards.ts';

/** Unicode FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (UAX #9, §2.7). */
export const FSI = '\u2068';
export const PDI = '\u2069';

/**
 * Wraps an embedded run so the bidi algorithm treats it as one neutral block: "75 µg/m³" or
 * "Asia/Dhaka" inside Arabic keeps its own order. FSI (not LRI) so an Arabic place name stays right-to-left.
 */
export function isolate(text: string): string {
  return `${FSI}${text}${PDI}`;
}

/** A time in the area's zone, ready to print. */
export interface Moment {
  /** The calendar date in the language, e.g. "1 January 2024". */
  readonly date: string;
  /** The 24-hour clock time, e.g. "08:00". */
  readonly clock: string;
  /** The IANA zone the clock is read in, or "UTC". */
  readonly zone: string;
  /** The hour 0–23 in that zone: Spanish says "a la 01:00" but "a las 08:00". */
  readonly hour: number;
}

/** What was measured: label ("PM2.5"), quantity ("75 µg/m³") and the warning level ("3") when known. */
export interface Reading {
  readonly label: string;
  readonly quantity: string;
  readonly level: string | null;
}

/** A number to print with a noun: `n` chooses the grammatical form, `text` is `n` written for the language. */
export interface Count {
  readonly n: number;
  readonly text: string;
}

export type LeadUnit = 'minute' | 'hour' | 'day';

/** How far ahead a level is expected to be crossed, in the unit a reader would use. */
export interface LeadTime extends Count {
  readonly unit: LeadUnit;
}

export type WarningChange = 'escalated' | 'deescalated' | 'extended' | null;

/** Protective actions: `advice` always, `severe` added for Severe and Extreme warnings. */
export interface HazardInstruction {
  readonly advice: string;
  readonly severe: string;
}

export interface Headlines {
  alert(hazard: HazardCode, severity: CapSeverity, place: string): string;
  update(hazard: HazardCode, severity: CapSeverity, place: string, change: WarningChange): string;
  cancel(hazard: HazardCode, place: string): string;
}

/** The sentences a description is built from; each returns one whole sentence with its full stop. */
export interface Sentences {
  /** Opens an Update: what changed. */
  updated(change: WarningChange, severity: CapSeverity): string;
  /** A value observed at a time. */
  measured(reading: Reading, place: string, at: Moment): string;
  /** A value expected within the lead time, around a time. */
  forecast(reading: Reading, place: string, lead: LeadTime, at: Moment): string;
  /** Reports and detections since a time. */
  counted(hazard: HazardCode, count: Count, place: string, at: Moment): string;
  /** The warning level expected to be crossed, with no value to show. */
  expected(hazard: HazardCode, place: string, lead: LeadTime, at: Moment): string;
  /** The hazard reported, with neither value nor count. */
  reported(hazard: HazardCode, place: string, at: Moment): string;
  /** The count of reports when a value was already told. */
  alsoCounted(count: Count): string;
  population(people: Count): string;
  readonly corroborated: string;
  until(at: Moment): string;
  /** Opens a Cancel. */
  lifted(hazard: HazardCode, place: string): string;
  /** The last value, in a Cancel. */
  latest(reading: Reading): string;
}

export interface LanguagePack {
  /** The Intl locale for numbers and dates (Arabic asks for Latin digits: `ar-u-nu-latn`). */
  readonly locale: string;
  /** Right-to-left: every embedded run is wrapped with {@link isolate}. */
  readonly rightToLeft: boolean;
  /** Between sentences: a space, or nothing in Chinese. */
  readonly sentenceGap: string;
  /** Stands in for an empty area name. */
  readonly unnamedArea: string;
  readonly hazardNames: Readonly<Record<HazardCode, string>>;
  readonly severityNames: Readonly<Record<CapSeverity, string>>;
  readonly headlines: Headlines;
  readonly sentences: Sentences;
  readonly instructions: Readonly<Record<HazardCode, HazardInstruction>>;
  /** Added for Extreme warnings: for people (sudden hazards) or for authorities (slow ones). */
  readonly extreme: Readonly<Record<HazardOnset, string>>;
  readonly noFurtherAction: string;
}

/** Forms of a noun by CLDR plural category; `other` is the fallback every language has. */
export type PluralForms = { readonly other: (n: string) => string } & Partial<
  Readonly<Record<Intl.LDMLPluralRule, (n: string) => string>>
>;

const pluralRules = new Map<string, Intl.PluralRules>();

/** The form of a counted noun that CLDR's plural rules choose for `count.n` in `locale`. */
export function plural(locale: string, count: Count, forms: PluralForms): string {
  let rules = pluralRules.get(locale);
  if (rules === undefined) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  const form = forms[rules.select(count.n)] ?? forms.other;
  return form(count.text);
}

/** "Air pollution" → "air pollution", for the name inside a sentence. */
export function lowerFirst(text: string, locale: string): string {
  return text.charAt(0).toLocaleLowerCase(locale) + text.slice(1);
}
