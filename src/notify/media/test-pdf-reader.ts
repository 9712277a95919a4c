/**
 * @module Reads back the text an uncompressed pdfkit PDF shows, for tests: each text-showing operator's
 * glyphs mapped to Unicode through the font's ToUnicode CMap (PDF 32000-1:2008 §9.10.3), or through
 * WinAnsiEncoding for the built-in fonts. Pieces come in drawing order, so right-to-left runs read in
 * visual order. Not a general PDF parser: it knows what pdfkit writes.
 */

export interface PdfTextPiece {
  readonly text: string;
  /** Text-space origin of the piece (`x y Td`/`Tm` as pdfkit writes it), bottom-up PDF coordinates. */
  readonly x: number;
  readonly y: number;
}

function objects(pdf: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const match of pdf.matchAll(/(\d+) 0 obj\s([\s\S]*?)\nendobj/g)) {
    found.set(Number(match[1]), match[2] ?? '');
  }
  return found;
}

function streamOf(body: string): string {
  const start = body.indexOf('stream\n');
  const end = body.lastIndexOf('\nendstream');
  return start < 0 || end < 0 ? '' : body.slice(start + 'stream\n'.length, end);
}

function hexToCodes(hex: string, bytes: number): number[] {
  const codes: number[] = [];
  for (let i = 0; i + bytes * 2 <= hex.length; i += bytes * 2)
    codes.push(Number.parseInt(hex.slice(i, i + bytes * 2), 16));
  return codes;
}

function utf16(hex: string): string {
  return String.fromCharCode(...hexToCodes(hex, 2));
}

/** `bfchar` and `bfrange` (both forms) of a ToUnicode CMap. */
function parseCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const pair of (block[1] ?? '').matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) {
      map.set(Number.parseInt(pair[1] ?? '', 16), utf16(pair[2] ?? ''));
    }
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    const body = block[1] ?? '';
    for (const range of body.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f]+>)/gi)) {
      const low = Number.parseInt(range[1] ?? '', 16);
      const high = Number.parseInt(range[2] ?? '', 16);
      const target = range[3] ?? '';
      if (target.startsWith('[')) {
        const values = [...target.matchAll(/<([0-9a-f\s]+)>/gi)].map((m) =>
          utf16((m[1] ?? '').replace(/\s+/g, '')),
        );
        values.forEach((value, i) => {
          if (low + i <= high) map.set(low + i, value);
        });
      } else {
        const start = Number.parseInt(target.slice(1, -1), 16);
        for (let code = low; code <= high; code++) map.set(code, String.fromCharCode(start + code - low));
      }
    }
  }
  return map;
}

/** WinAnsiEncoding's 0x80–0x9F (PDF 32000-1 Annex D.2); elsewhere it is Latin-1. */
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function winAnsi(code: number): string {
  return code >= 0x80 && code <= 0x9f ? (WIN_ANSI_HIGH[code - 0x80] ?? '') : String.fromCharCode(code);
}

/** The text pieces of every page, in drawing order. */
export function pdfTextPieces(pdfBytes: Uint8Array): PdfTextPiece[] {
  const pdf = Buffer.from(pdfBytes).toString('latin1');
  const all = objects(pdf);
  const fonts = new Map<string, { map: Map<number, string> | null }>();
  for (const body of all.values()) {
    const dict = /\/Font\s*<<([^>]*)>>/.exec(body)?.[1];
    if (dict === undefined) continue;
    for (const entry of dict.matchAll(/\/(F\d+)\s+(\d+)\s+0\s+R/g)) {
      const font = all.get(Number(entry[2])) ?? '';
      const toUnicode = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(font)?.[1];
      const cmap = toUnicode === undefined ? null : parseCMap(streamOf(all.get(Number(toUnicode)) ?? ''));
      fonts.set(entry[1] ?? '', { map: cmap });
    }
  }
  const pieces: PdfTextPiece[] = [];
  for (const body of all.values()) {
    if (!/\/Type\s*\/Page\b/.test(body) || /\/Type\s*\/Pages\b/.test(body)) continue;
    const contents = /\/Contents\s+(\d+)\s+0\s+R/.exec(body)?.[1];
    const stream = streamOf(all.get(Number(contents)) ?? '');
    let font: { map: Map<number, string> | null } | undefined;
    let x = 0;
    let y = 0;
    const ops =
      /\/(F\d+)\s+[\d.]+\s+Tf|(-?[\d.]+)\s+(-?[\d.]+)\s+Td|[\d.-]+\s+[\d.-]+\s+[\d.-]+\s+[\d.-]+\s+(-?[\d.]+)\s+(-?[\d.]+)\s+Tm|\[((?:<[0-9a-f]*>|\s|-?[\d.]+)*)\]\s*TJ/gi;
    for (const op of stream.matchAll(ops)) {
      if (op[1] !== undefined) font = fonts.get(op[1]);
      else if (op[2] !== undefined) [x, y] = [Number(op[2]), Number(op[3])];
      else if (op[4] !== undefined) [x, y] = [Number(op[4]), Number(op[5])];
      else if (op[6] !== undefined && font !== undefined) {
        const map = font.map;
        let text = '';
        for (const hex of op[6].matchAll(/<([0-9a-f]*)>/gi)) {
          const codes = hexToCodes(hex[1] ?? '', map === null ? 1 : 2);
          // In an embedded font's subset, code 0 is glyph 0, .notdef: the empty box, whatever its ToUnicode says.
          text += codes
            .map((code) =>
              map === null ? winAnsi(code) : code === 0 ? '\u0000' : (map.get(code) ?? '\ufffd'),
            )
            .join('');
        }
        pieces.push({ text, x, y });
      }
    }
  }
  return pieces;
}

/** The number of page objects (`/Type /Page`, not `/Pages`). */
export function pdfPageCount(pdfBytes: Uint8Array): number {
  return (
    Buffer.from(pdfBytes)
      .toString('latin1')
      .match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []
  ).length;
}
