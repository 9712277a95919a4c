/**
 * @module The spoken bulletin for radio and loudspeakers: the text a presenter would read, spoken by
 * espeak-ng (https://github.com/espeak-ng/espeak-ng) into a WAV file, in the message's language or,
 * where espeak-ng has no voice for it, in English.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WarningMessage } from '../channel.ts';
import {
  type BulletinText,
  bulletinText,
  englishBulletinText,
  withoutBidiControls,
} from './bulletin-text.ts';
import { type BulletinWords, primaryLanguage } from './bulletin-words.ts';

/** espeak-ng voice names per language (`espeak-ng --voices`): Chinese is Mandarin, `cmn`. */
const ESPEAK_VOICES: Readonly<Record<string, string>> = {
  en: 'en',
  fr: 'fr',
  es: 'es',
  ar: 'ar',
  ru: 'ru',
  zh: 'cmn',
};

/** The espeak-ng voice for a language tag ("zh-CN" → "cmn"), or null when we have none for it. */
export function voiceFor(language: string): string | null {
  return ESPEAK_VOICES[primaryLanguage(language)] ?? null;
}

export interface SpokenBulletin {
  readonly path: string;
  readonly voice: string;
  readonly durationS: number;
  /** What was spoken. */
  readonly text: string;
  /** The language spoken: the message's, or "en" after a fallback. */
  readonly language: string;
  /** Why the bulletin is in English rather than the message's language; null when it is not. */
  readonly fallbackReason: string | null;
}

export interface SpokenBulletinOptions {
  /** Default "espeak-ng" on the PATH. */
  readonly espeakPath?: string;
  /** espeak-ng `-s`: 150 words a minute is a calm broadcast pace (espeak-ng's default is 175). */
  readonly wordsPerMinute?: number;
  /** Default 60 s: a long bulletin takes espeak-ng about a second, so this only stops a hung process. */
  readonly timeoutMs?: number;
}

/** The script and voice for a message, before any audio is made. */
export function spokenBulletinScript(message: WarningMessage): {
  readonly text: string;
  readonly voice: string;
  readonly language: string;
  readonly fallbackReason: string | null;
} {
  const voice = voiceFor(message.language);
  const source =
    voice === null
      ? englishBulletinText(message, `espeak-ng has no voice for "${message.language}"; spoken in English`)
      : bulletinText(message);
  return {
    text: presenterText(source),
    voice: voice ?? 'en',
    language: source.language,
    fallbackReason: source.fallbackReason,
  };
}

/** Title, area, description, instruction: what a presenter reads, in the order a listener needs it. */
function presenterText(source: BulletinText): string {
  const { words } = source;
  const gap = words.fullStop === '。' ? '' : ' ';
  const parts = [
    `${source.title}${words.fullStop}`,
    `${words.labels.area}${words.labelSeparator}${source.areaDesc}${words.fullStop}`,
    source.description,
    source.instruction,
  ].filter((part) => part.trim() !== '');
  return speakable(parts.join(gap), words);
}

/** IANA zone names ("Asia/Dhaka") are read as the city, not as "Asia slash Dhaka". */
const IANA_ZONE =
  /\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/(?:[A-Za-z_-]+\/)?([A-Za-z_-]+)/g;
/** 24-hour clock times as the warning texts write them ("08:00"). */
const CLOCK = /(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])/g;
const SPACES = /[\s\u00a0\u202f\u2009]+/g;

const groupSeparators = new Map<string, string>();

/** The locale's digit-group separator, as a regex class (French and Russian group with no-break spaces). */
function groupSeparatorClass(locale: string): string {
  let cls = groupSeparators.get(locale);
  if (cls === undefined) {
    const group = new Intl.NumberFormat(locale).formatToParts(1234567).find((p) => p.type === 'group')?.value;
    cls = group === undefined ? '' : /\s/.test(group) ? '[ \u00a0\u202f\u2009]' : `[${escapeRegExp(group)}]`;
    groupSeparators.set(locale, cls);
  }
  return cls;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * The text as espeak-ng should get it: no bidi controls, whole numbers without group separators
 * (espeak-ng reads "10 234 567" as three numbers), clock times and units as words.
 */
export function speakable(text: string, words: BulletinWords): string {
  let out = withoutBidiControls(text)
    .replace(IANA_ZONE, (_zone, city: string) => city.replace(/_/g, ' '))
    .replace(CLOCK, (_clock, hour: string, minute: string) =>
      words.spokenClock(Number(hour), Number(minute)),
    );
  const group = groupSeparatorClass(words.locale);
  if (group !== '') {
    // Only a run that starts with 1–3 digits and continues in groups of three is one number: "2024 100" stays two.
    const grouped = new RegExp(`(?<![\\d.,])\\d{1,3}(?:${group}\\d{3})+(?!\\d)`, 'g');
    const separator = new RegExp(group, 'g');
    out = out.replace(grouped, (number) => number.replace(separator, ''));
  }
  const units = Object.entries(words.spokenUnits).sort(([a], [b]) => b.length - a.length);
  for (const [symbol, spoken] of units) {
    out = out.replace(new RegExp(`(\\d)\\s?${escapeRegExp(symbol)}(?![\\p{L}\\p{N}])`, 'gu'), `$1 ${spoken}`);
  }
  for (const [abbreviation, spoken] of words.spokenAbbreviations) out = out.replace(abbreviation, spoken);
  return out.replace(SPACES, ' ').trim();
}

/** Writes the bulletin as a WAV file at `outPath` (directories created as needed). */
export async function makeSpokenBulletin(
  message: WarningMessage,
  outPath: string,
  options: SpokenBulletinOptions = {},
): Promise<SpokenBulletin> {
  const script = spokenBulletinScript(message);
  await mkdir(dirname(outPath), { recursive: true });
  await speak(script.text, script.voice, outPath, options);
  const { durationS } = wavInfo(await readFile(outPath));
  return { path: outPath, durationS, ...script };
}

/** Runs espeak-ng without a shell; the text goes in on stdin, so nothing in it can become an option. */
function speak(text: string, voice: string, outPath: string, options: SpokenBulletinOptions): Promise<void> {
  const args = [
    '-v',
    voice,
    '-s',
    String(options.wordsPerMinute ?? 150),
    '-b',
    '1',
    '-w',
    outPath,
    '--stdin',
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(
      options.espeakPath ?? 'espeak-ng',
      args,
      { timeout: options.timeoutMs ?? 60_000, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (error === null) resolve();
        else reject(new Error(`espeak-ng failed: ${stderr.trim() || error.message}`, { cause: error }));
      },
    );
    // A missing binary fails the spawn; the write must not turn that into an unhandled EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(text, 'utf8');
  });
}

export interface WavInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly durationS: number;
}

/**
 * The format and length of a RIFF/WAVE file (Microsoft/IBM Multimedia Programming Interface 1.0, 1991:
 * RIFF chunks, `fmt ` then `data`, little-endian, each chunk padded to an even length). Throws on
 * anything else. A streamed file whose `data` size was never filled in is measured by its bytes.
 */
export function wavInfo(buffer: Uint8Array): WavInfo {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const tag = (offset: number): string =>
    String.fromCharCode(...buffer.subarray(offset, Math.min(offset + 4, buffer.byteLength)));
  if (buffer.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new RangeError('wavInfo: not a RIFF/WAVE file');
  }
  let format: { channels: number; sampleRate: number; byteRate: number; bitsPerSample: number } | undefined;
  let dataBytes: number | undefined;
  let offset = 12;
  while (offset + 8 <= buffer.byteLength && (format === undefined || dataBytes === undefined)) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buffer.byteLength) throw new RangeError('wavInfo: truncated fmt chunk');
      format = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        byteRate: view.getUint32(body + 8, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      dataBytes = Math.min(size, buffer.byteLength - body);
    }
    offset = body + size + (size % 2);
  }
  if (format === undefined) throw new RangeError('wavInfo: no fmt chunk');
  if (dataBytes === undefined) throw new RangeError('wavInfo: no data chunk');
  const byteRate = format.byteRate || (format.sampleRate * format.channels * format.bitsPerSample) / 8;
  if (!(byteRate > 0)) throw new RangeError('wavInfo: fmt chunk gives no byte rate');
  return {
    sampleRate: format.sampleRate,
    channels: format.channels,
    bitsPerSample: format.bitsPerSample,
    durationS: dataBytes / byteRate,
  };
}
