import { describe, expect, it } from 'vitest';
import { fontsFor, HELVETICA, parseCharset, type SystemFont } from './bulletin-fonts.ts';

const LATIN: [number, number] = [0x20, 0x17f];
const ARABIC: [number, number] = [0x600, 0x6ff];
const CJK: [number, number] = [0x4e00, 0x9fff];

const font = (file: string, family: string, style: string, charset: [number, number][]): SystemFont => ({
  file,
  postscriptName: file.replace(/\W/g, ''),
  family,
  style,
  charset,
});

const FONTS: SystemFont[] = [
  font('/f/ArabicMono.ttf', 'Arabic Mono', 'Regular', [LATIN, ARABIC]),
  font('/f/NotoSansArabic-Regular.ttf', 'Noto Sans Arabic', 'Regular', [LATIN, ARABIC]),
  font('/f/NotoSansArabic-Bold.ttf', 'Noto Sans Arabic', 'Bold', [LATIN, ARABIC]),
  font('/f/NotoSansCJK.ttc', 'Noto Sans CJK SC', 'Regular', [LATIN, CJK]),
];

describe('parseCharset', () => {
  it('reads fontconfig ranges in order', () => {
    expect(parseCharset('a0-17f 20-7e 2013')).toEqual([
      [0x20, 0x7e],
      [0xa0, 0x17f],
      [0x2013, 0x2013],
    ]);
  });
});

describe('fontsFor', () => {
  it('uses Helvetica for WinAnsi text', () => {
    expect(fontsFor(['Alerte grave : pollution de l’air — 175 µg/m³ · …'], FONTS)).toBe(HELVETICA);
  });

  it('picks a sans font with a glyph for every character, and its bold', () => {
    expect(fontsFor(['تحذير شديد', 'CAP (XML)'], FONTS)).toEqual({
      regular: { src: '/f/NotoSansArabic-Regular.ttf' },
      bold: { src: '/f/NotoSansArabic-Bold.ttf' },
      names: ['/f/NotoSansArabic-Regular.ttf', '/f/NotoSansArabic-Bold.ttf'],
    });
  });

  it('names the face inside a collection, and uses the regular face when there is no bold', () => {
    expect(fontsFor(['空气污染预警'], FONTS)).toEqual({
      regular: { src: '/f/NotoSansCJK.ttc', family: 'fNotoSansCJKttc' },
      bold: { src: '/f/NotoSansCJK.ttc', family: 'fNotoSansCJKttc' },
      names: ['/f/NotoSansCJK.ttc'],
    });
  });

  it('finds nothing when no one font has every glyph (no mixing, no empty boxes)', () => {
    expect(fontsFor(['تحذير 空气'], FONTS)).toBeNull();
    expect(fontsFor(['Загрязнение'], FONTS)).toBeNull();
  });

  it('ignores the bidi controls and spaces that are never drawn', () => {
    expect(fontsFor(['\u2068Dhaka\u2069\u00a0\u202f'], [])).toBe(HELVETICA);
  });
});
