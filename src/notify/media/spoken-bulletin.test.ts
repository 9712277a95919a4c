import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarningLanguage } from '../../warn/words/warning-words.ts';
import { bulletinWords } from './bulletin-words.ts';
import { makeSpokenBulletin, speakable, spokenBulletinScript, voiceFor, wavInfo } from './spoken-bulletin.ts';
import { testWarningMessage } from './test-message.ts';

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A minimal PCM WAV: RIFF header, `fmt ` and `data` chunks, plus any chunks given before `data`. */
function wav(options: {
  dataBytes: number;
  declaredDataBytes?: number;
  extra?: Buffer;
  sampleRate?: number;
}): Buffer {
  const sampleRate = options.sampleRate ?? 22050;
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(sampleRate * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const data = Buffer.alloc(8 + options.dataBytes);
  data.write('data', 0, 'latin1');
  data.writeUInt32LE(options.declaredDataBytes ?? options.dataBytes, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), fmt, options.extra ?? Buffer.alloc(0), data]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('voiceFor', () => {
  it('maps the six languages to espeak-ng voices, Chinese to Mandarin', () => {
    expect(['en', 'fr', 'es', 'ar', 'ru', 'zh'].map(voiceFor)).toEqual(['en', 'fr', 'es', 'ar', 'ru', 'cmn']);
    expect(voiceFor('zh-CN')).toBe('cmn');
    expect(voiceFor('pt')).toBeNull();
  });
});

describe('spokenBulletinScript', () => {
  it('reads severity, event, area, description and instruction, with nothing espeak-ng would misread', () => {
    const message = testWarningMessage({ language: 'en' });
    const script = spokenBulletinScript(message);
    expect(script.voice).toBe('en');
    expect(script.fallbackReason).toBeNull();
    expect(script.text.startsWith('Severe warning: Air pollution. Area: Dhaka.')).toBe(true);
    expect(script.text).toContain('175 micrograms per cubic metre');
    expect(script.text).toContain("at 8 o'clock Dhaka on 1 January 2024");
    expect(script.text).toContain('10234567 people');
    expect(script.text).toContain('Keep windows and doors closed.');
    expect(script.text).not.toMatch(/µg|m³|Asia\/|08:00/);
  });

  it('drops the Arabic isolates and speaks the numbers inside them', () => {
    const script = spokenBulletinScript(testWarningMessage({ language: 'ar' }));
    expect(script.voice).toBe('ar');
    expect(script.text).not.toMatch(BIDI_CONTROLS);
    expect(script.text).toContain('175 ميكروغرام لكل متر مكعب');
    expect(script.text).toContain('10234567');
  });

  it('falls back to the English text of the CAP alert for a language without a voice, and says so', () => {
    const message = testWarningMessage({
      language: 'en',
      overrides: { language: 'pt', headline: 'Alerta grave' },
    });
    const script = spokenBulletinScript(message);
    expect(script.voice).toBe('en');
    expect(script.language).toBe('en');
    expect(script.fallbackReason).toMatch(/no voice for "pt"/);
    expect(script.text).toContain('Limit strenuous activity outdoors.');
  });
});

describe('speakable', () => {
  const words = (language: WarningLanguage) => bulletinWords(language).words;

  it('joins digit groups into one number, in each locale', () => {
    expect(speakable('environ 10\u202f234\u202f567 habitants', words('fr'))).toBe(
      'environ 10234567 habitants',
    );
    expect(speakable('unas 10.234.567 personas', words('es'))).toBe('unas 10234567 personas');
    expect(speakable('about 10,234,567 people', words('en'))).toBe('about 10234567 people');
    expect(speakable('проживает 10\u00a0234\u00a0567 человек', words('ru'))).toBe(
      'проживает 10234567 человек',
    );
    // Two numbers side by side stay two numbers; a decimal stays a decimal.
    expect(speakable('in 2024 100 fires, PM2.5', words('en'))).toBe('in 2024 100 fires, PM2.5');
  });

  it('says clock times and the Russian year abbreviation as a presenter would', () => {
    expect(speakable('à 08:00 Europe/Paris', words('fr'))).toBe('à 8 heures Paris');
    expect(speakable('at 14:30 America/Argentina/Buenos_Aires', words('en'))).toBe('at 14 30 Buenos Aires');
    expect(speakable('1 января 2024\u00a0г. значение', words('ru'))).toBe('1 января 2024 года значение');
    expect(speakable('2024年1月1日 08:30', words('zh'))).toBe('2024年1月1日 8点30分');
  });
});

describe('wavInfo', () => {
  it('reads format and duration, skipping chunks it does not know (padded to even length)', () => {
    const list = Buffer.concat([
      Buffer.from('LIST', 'latin1'),
      Buffer.from([3, 0, 0, 0]),
      Buffer.from('abc\0'),
    ]);
    const info = wavInfo(wav({ dataBytes: 44100, extra: list }));
    expect(info).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16, durationS: 1 });
  });

  it('measures a streamed file whose data size was never filled in by its bytes', () => {
    expect(wavInfo(wav({ dataBytes: 22050, declaredDataBytes: 0xffffffff })).durationS).toBe(0.5);
  });

  it('throws on anything that is not RIFF/WAVE with fmt and data', () => {
    expect(() => wavInfo(Buffer.from('%PDF-1.7 not a sound'))).toThrow(/not a RIFF\/WAVE/);
    expect(() => wavInfo(Buffer.alloc(4))).toThrow(/not a RIFF\/WAVE/);
    const noData = wav({ dataBytes: 0 }).subarray(0, 12 + 24);
    expect(() => wavInfo(noData)).toThrow(/no data chunk/);
  });
});

describe.skipIf(!hasEspeak)('makeSpokenBulletin with espeak-ng', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ew4e-spoken-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [WarningLanguage, string][] = [
    ['en', 'en'],
    ['fr', 'fr'],
    ['ar', 'ar'],
    ['zh', 'cmn'],
  ];
  it.each(cases)('speaks %s with voice %s into a WAV whose length fits the text', async (language, voice) => {
    const path = join(dir, `${language}.wav`);
    const bulletin = await makeSpokenBulletin(testWarningMessage({ language }), path);
    expect(bulletin.voice).toBe(voice);
    expect(bulletin.path).toBe(path);
    expect(bulletin.fallbackReason).toBeNull();

    const bytes = await readFile(path);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');
    expect(bytes.includes(Buffer.from('fmt ', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('data', 'latin1'))).toBe(true);
    const info = wavInfo(bytes);
    expect(info.durationS).toBeCloseTo(bulletin.durationS, 6);
    expect(info.channels).toBe(1);

    // Chinese has no spaces: count characters (Han, plus each Latin word or number as one).
    const units =
      language === 'zh'
        ? (bulletin.text.match(/\p{Script=Han}|[A-Za-z0-9.]+/gu) ?? []).length
        : bulletin.text.split(/\s+/).length;
    const perUnit = bulletin.durationS / units;
    expect(perUnit).toBeGreaterThan(0.2);
    expect(perUnit).toBeLessThan(1.5);
  });

  it('passes text that looks like options or shell syntax as words', async () => {
    const message = testWarningMessage({
      overrides: {
        event: '--help',
        areaDesc: '$(touch /tmp/ew4e-pwned); -w /etc/passwd',
        description: '`id` \'x\' "y"',
      },
    });
    const bulletin = await makeSpokenBulletin(message, join(dir, 'odd.wav'));
    expect(bulletin.durationS).toBeGreaterThan(1);
    expect(bulletin.text).toContain('--help');
  });

  it('rejects when espeak-ng cannot run, naming the cause', async () => {
    await expect(
      makeSpokenBulletin(testWarningMessage(), join(dir, 'none.wav'), {
        espeakPath: join(dir, 'no-such-espeak'),
      }),
    ).rejects.toThrow(/espeak-ng failed/);
  });
});
