import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fontsFor, systemFonts } from './bulletin-fonts.ts';
import { withoutBidiControls } from './bulletin-text.ts';
import { makePrintedBulletin } from './printed-bulletin.ts';
import { FIJI_ANTIMERIDIAN, testWarningMessage } from './test-message.ts';
import { pdfPageCount, pdfTextPieces } from './test-pdf-reader.ts';

const fonts = await systemFonts();
const arabicFont = fontsFor(['تحذير شديد'], fonts) !== null;
const chineseFont = fontsFor(['严重空气污染预警'], fonts) !== null;

/** The page's text in drawing order, one piece per run, whitespace collapsed. */
function pageText(bytes: Uint8Array): string {
  return pdfTextPieces(bytes)
    .map((piece) => piece.text)
    .join(' ')
    .replace(/[\s\u00a0]+/g, ' ');
}

/** Glyph 0 (.notdef, the empty box) reads back as U+0000; a code without a mapping as U+FFFD. */
function expectNoMissingGlyphs(text: string): void {
  expect(text.includes(String.fromCharCode(0))).toBe(false);
  expect(text.includes('\ufffd')).toBe(false);
}

const collapse = (text: string): string => text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** Each Arabic word as it is drawn: right to left, so its letters in reverse. */
const visualArabicWords = (text: string): string[] =>
  (withoutBidiControls(text).match(/\p{Script=Arabic}+/gu) ?? []).map((word) => [...word].reverse().join(''));

describe('makePrintedBulletin', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ew4e-printed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one A4 page with title, headline, times, texts, scale and CAP link', async () => {
    const message = testWarningMessage({ language: 'en' });
    const result = await makePrintedBulletin(message, join(dir, 'en.pdf'), { compress: false });
    expect(result).toMatchObject({ pages: 1, language: 'en', fallbackReason: null, replacedCharacters: 0 });
    const bytes = await readFile(result.path);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfPageCount(bytes)).toBe(1);
    expect(bytes.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    const text = pageText(bytes);
    expect(text).toContain('Severe warning: Air pollution');
    expect(text).toContain(message.headline);
    expect(text).toContain(collapse(message.description));
    expect(text).toContain(collapse(message.instruction));
    expect(text).toContain('Area: Dhaka');
    expect(text).toContain('Issued: 2024-01-01T02:00:00Z');
    expect(text).toContain('Expires: 2024-01-02T02:00:00Z');
    expect(text).toMatch(/Equirectangular projection; 1 cm = [\d.]+ km/);
    expect(text).toContain(message.capUrl);
    expectNoMissingGlyphs(text);
  });

  it('keeps to one page when the texts are far too long, cutting with an ellipsis', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `Sentence ${i} of a very long description.`).join(' ');
    const message = testWarningMessage({ overrides: { description: long, instruction: long } });
    const result = await makePrintedBulletin(message, join(dir, 'long.pdf'), { compress: false });
    expect(result.pages).toBe(1);
    const bytes = await readFile(result.path);
    expect(pdfPageCount(bytes)).toBe(1);
    expect(pageText(bytes)).toContain('…');
  });

  it.skipIf(!arabicFont)('prints Arabic shaped and right to left, with numbers left to right', async () => {
    const message = testWarningMessage({ language: 'ar' });
    const result = await makePrintedBulletin(message, join(dir, 'ar.pdf'), { compress: false });
    expect(result).toMatchObject({ pages: 1, language: 'ar', fallbackReason: null, replacedCharacters: 0 });
    const bytes = await readFile(result.path);
    expect(bytes.toString('latin1')).toContain('/Lang (ar)');
    const text = pageText(bytes);
    // The headline's Arabic words, each drawn right to left, in reverse word order.
    const headline = visualArabicWords(message.headline);
    expect(text).toContain([...headline].reverse().join(' '));
    // Numbers keep their own order inside right-to-left text.
    expect(text).toContain('10,234,567');
    expect(text).toContain('2024-01-01T02:00:00Z');
    expect(text).toContain('PM2.5');
    expectNoMissingGlyphs(text);
    expect(text).not.toMatch(/[\u2066-\u2069]/);
  });

  it.skipIf(!chineseFont)('prints Chinese with an installed CJK font, every glyph present', async () => {
    const message = testWarningMessage({ language: 'zh' });
    const result = await makePrintedBulletin(message, join(dir, 'zh-cjk.pdf'), { compress: false });
    expect(result).toMatchObject({ pages: 1, language: 'zh', fallbackReason: null, replacedCharacters: 0 });
    const bytes = await readFile(result.path);
    expect(bytes.toString('latin1')).toContain('/Lang (zh)');
    const text = pageText(bytes).replace(/ /g, '');
    expect(text).toContain(message.headline.replace(/\s/g, ''));
    expect(text).toContain('2024-01-01T02:00:00Z');
    expectNoMissingGlyphs(text);
  });

  it('prints in English, and says so, when no font covers the language', async () => {
    // No system fonts at all: Chinese cannot be printed; the English of the CAP alert can, in Helvetica.
    const message = testWarningMessage({ language: 'zh' });
    const result = await makePrintedBulletin(message, join(dir, 'zh.pdf'), { compress: false, fonts: [] });
    expect(result.language).toBe('en');
    expect(result.fallbackReason).toMatch(/no installed font covers .*"zh".*English/);
    expect(result.fonts).toEqual(['Helvetica (PDF built-in)']);
    const bytes = await readFile(result.path);
    const text = pageText(bytes);
    expect(text).toContain('Severe air pollution warning for Dhaka');
    expect(text).not.toMatch(/\p{Script=Han}/u);
  });

  it('prints "?" rather than empty boxes for a name no font has', async () => {
    const message = testWarningMessage({ language: 'zh', areaName: '达卡' });
    const result = await makePrintedBulletin(message, join(dir, 'zh-name.pdf'), {
      compress: false,
      fonts: [],
    });
    expect(result.language).toBe('en');
    expect(result.replacedCharacters).toBeGreaterThan(0);
    const text = pageText(await readFile(result.path));
    expect(text).toContain('Area: ??');
    expect(text).not.toMatch(/\p{Script=Han}/u);
  });

  it('maps a multipolygon cut at the antimeridian', async () => {
    const message = testWarningMessage({
      language: 'en',
      geometry: FIJI_ANTIMERIDIAN,
      countries: ['FJ'],
      areaName: 'Fiji',
    });
    const result = await makePrintedBulletin(message, join(dir, 'fiji.pdf'), { compress: false });
    expect(result.pages).toBe(1);
    const text = pageText(await readFile(result.path));
    expect(text).toContain('Area: Fiji');
  });
});
