/**
 * @module Fonts for printed bulletins: pdfkit's built-in Helvetica where the text is all WinAnsi (PDF 32000-1
 * Annex D.2), otherwise a system TrueType/OpenType font that has a glyph for every character, found with
 * fontconfig's `fc-list` (its `charset` is the set of code points a font covers). No font, no print: a
 * missing glyph would print as an empty box ("tofu"), which a reader cannot tell from a word.
 */
import { execFile } from 'node:child_process';

export interface SystemFont {
  readonly file: string;
  /** PostScript name: picks one face out of a TrueType collection (.ttc). */
  readonly postscriptName: string;
  readonly family: string;
  readonly style: string;
  /** Covered code points as sorted, disjoint [first, last] ranges. */
  readonly charset: readonly (readonly [number, number])[];
}

/** A regular and a bold face, by file (or built-in name) and, for collections, PostScript name. */
export interface FontFace {
  readonly src: string;
  readonly family?: string;
}

export interface FontPair {
  readonly regular: FontFace;
  readonly bold: FontFace;
  /** For the report: "Helvetica" or the files used. */
  readonly names: readonly string[];
}

export const HELVETICA: FontPair = {
  regular: { src: 'Helvetica' },
  bold: { src: 'Helvetica-Bold' },
  names: ['Helvetica (PDF built-in)'],
};

/** The non-Latin-1 characters of WinAnsiEncoding (PDF 32000-1:2008, Annex D.2, codes 0x80–0x9F). */
const WIN_ANSI_EXTRA = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ'].map((c) => c.codePointAt(0) ?? 0));

function isWinAnsi(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(code);
}

function covers(charset: SystemFont['charset'], code: number): boolean {
  let low = 0;
  let high = charset.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const range = charset[mid];
    if (range === undefined) return false;
    if (code < range[0]) high = mid - 1;
    else if (code > range[1]) low = mid + 1;
    else return true;
  }
  return false;
}

/** fontconfig's charset notation: space-separated hex code points and ranges ("20-7e a0-17f 2013"). */
export function parseCharset(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const item of text.trim().split(/\s+/)) {
    if (item === '') continue;
    const [first, last] = item.split('-');
    const start = Number.parseInt(first ?? '', 16);
    const end = last === undefined ? start : Number.parseInt(last, 16);
    if (Number.isFinite(start) && Number.isFinite(end)) ranges.push([start, end]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

/** Whitespace and format characters a font need not draw (they are laid out, or dropped, before printing). */
const NOT_DRAWN = /[\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]/u;

/** The characters of the texts that need a glyph. */
export function drawnCodePoints(texts: readonly string[]): Set<number> {
  const codes = new Set<number>();
  for (const text of texts) {
    for (const char of text) if (!NOT_DRAWN.test(char)) codes.add(char.codePointAt(0) ?? 0);
  }
  return codes;
}

const FC_FORMAT = '%{file}\\t%{postscriptname}\\t%{family[0]}\\t%{style[0]}\\t%{fontformat}\\t%{charset}\\n';

let fontList: Promise<SystemFont[]> | undefined;

/** The scalable TrueType/OpenType fonts fontconfig knows; none when fc-list is missing. Read once per process. */
export function systemFonts(): Promise<SystemFont[]> {
  fontList ??= new Promise((resolve) => {
    execFile(
      'fc-list',
      ['--format', FC_FORMAT, ':scalable=true'],
      { maxBuffer: 64 * 1024 * 1024, timeout: 20_000 },
      (error, stdout) => {
        if (error !== null) return resolve([]);
        const fonts: SystemFont[] = [];
        for (const line of stdout.split('\n')) {
          const [file, postscriptName, family, style, format, charset] = line.split('\t');
          if (file === undefined || charset === undefined) continue;
          // pdfkit embeds TrueType and CFF outlines through fontkit; Type 1 and bitmap fonts it cannot.
          if (format !== 'TrueType' && format !== 'CFF') continue;
          if (!/\.(ttf|otf|ttc)$/i.test(file)) continue;
          fonts.push({
            file,
            postscriptName: postscriptName ?? '',
            family: family ?? '',
            style: style ?? '',
            charset: parseCharset(charset),
          });
        }
        resolve(fonts);
      },
    );
  });
  return fontList;
}

const isBold = (style: string): boolean => /bold|black|heavy/i.test(style);
const isPlain = (style: string): boolean => /^(regular|book|normal|roman|medium)$/i.test(style.trim());

/** Sans before serif, plain widths before condensed and monospaced: bulletins are read at a glance. */
function familyRank(family: string): number {
  let rank = 0;
  if (!/sans/i.test(family)) rank += 4;
  if (/mono|code/i.test(family)) rank += 8;
  if (/condensed|narrow|light|thin/i.test(family)) rank += 2;
  return rank;
}

function faceOf(font: SystemFont): FontFace {
  return /\.ttc$/i.test(font.file) ? { src: font.file, family: font.postscriptName } : { src: font.file };
}

/**
 * The fonts to print `texts` with: Helvetica when WinAnsi covers them, else the best system font that has
 * every glyph (with its bold face when the family has one that covers too), else null.
 */
export function fontsFor(texts: readonly string[], fonts: readonly SystemFont[]): FontPair | null {
  const codes = [...drawnCodePoints(texts)];
  if (codes.every(isWinAnsi)) return HELVETICA;
  const covering = fonts.filter((font) => codes.every((code) => covers(font.charset, code)));
  const regular = covering
    .filter((font) => isPlain(font.style))
    .sort((a, b) => familyRank(a.family) - familyRank(b.family) || a.file.localeCompare(b.file))[0];
  if (regular === undefined) return null;
  const bold = covering.find(
    (font) =>
      font.family === regular.family && isBold(font.style) && !/oblique|italic|condensed/i.test(font.style),
  );
  const boldFace = bold ?? regular;
  return {
    regular: faceOf(regular),
    bold: faceOf(boldFace),
    names: [...new Set([regular.file, boldFace.file])],
  };
}

/** Whether a font pair has a glyph for the character (for replacing what none has). */
export function coveredBy(pair: FontPair, fonts: readonly SystemFont[], code: number): boolean {
  if (pair === HELVETICA) return isWinAnsi(code);
  const font = fonts.find((candidate) => candidate.file === pair.regular.src);
  return font !== undefined && covers(font.charset, code);
}
