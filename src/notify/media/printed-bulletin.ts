/**
 * @module The printed bulletin: one A4 page (ISO 216) to post on a notice board or hand to a newsroom —
 * title in the severity colour, headline, area, times in ISO 8601 UTC, description, instruction, a map of
 * the area and the link to the CAP message. Written with pdfkit; Arabic is shaped by fontkit and ordered
 * right to left by `text-layout`. A language no installed font can print is printed in English instead.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import PDFDocument from 'pdfkit';
import { CAP_SEVERITIES, type CapSeverity } from '../../warn/cap/cap-alert.ts';
import { severityName } from '../../warn/words/warning-words.ts';
import type { WarningMessage } from '../channel.ts';
import {
  coveredBy,
  drawnCodePoints,
  type FontFace,
  type FontPair,
  fontsFor,
  HELVETICA,
  type SystemFont,
  systemFonts,
} from './bulletin-fonts.ts';
import { kmPerCm, type MapDrawing, mapDrawing, type PageBox, scaleBar } from './bulletin-map.ts';
import { type BulletinText, bulletinText, englishBulletinText } from './bulletin-text.ts';
import { bulletinWords, capValueName, isoUtc, isRightToLeft } from './bulletin-words.ts';
import { severityColour } from './severity-colour.ts';
import { shapingText, visualRuns, wrapText } from './text-layout.ts';

export interface PrintedBulletin {
  readonly path: string;
  readonly pages: number;
  /** The language printed: the message's, or "en" when no installed font covers the message's script. */
  readonly language: string;
  /** Why the bulletin is not in the message's language; null when it is. */
  readonly fallbackReason: string | null;
  /** The fonts used: "Helvetica (PDF built-in)" or font files. */
  readonly fonts: readonly string[];
  /** Characters no font could draw, printed as "?" (e.g. a place name in another script on the English fallback). */
  readonly replacedCharacters: number;
}

export interface PrintedBulletinOptions {
  /** Deflate the content streams. Default true; tests read the page content uncompressed. */
  readonly compress?: boolean;
  /** The fonts to choose from; default: what fontconfig lists. */
  readonly fonts?: readonly SystemFont[];
}

/** A4 in PDF points (ISO 216: 210 × 297 mm). */
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 36;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const BAND_HEIGHT = 54;
const MAP_HEIGHT = 250;
const FOOTER_HEIGHT = 54;
const MAP_BOX: PageBox = {
  x: MARGIN,
  y: PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT - MAP_HEIGHT,
  width: CONTENT_WIDTH,
  height: MAP_HEIGHT,
};
const TEXT_TOP = MARGIN + BAND_HEIGHT + 12;
const TEXT_BOTTOM = MAP_BOX.y - 12;
const LEADING = 1.3;
/** Body text shrinks to this share of its size before lines are cut. */
const SCALES = [1, 0.93, 0.86, 0.8, 0.74, 0.68, 0.62];

const KNOWN_SEVERITIES: ReadonlySet<string> = new Set(CAP_SEVERITIES);

type Face = 'regular' | 'bold';

interface Block {
  readonly text: string;
  readonly face: Face;
  readonly size: number;
  readonly colour: string;
  readonly gapBefore: number;
}

/** Everything the page says, as text, before it is laid out. */
interface PageTexts {
  readonly source: BulletinText;
  readonly rightToLeft: boolean;
  readonly title: string;
  readonly blocks: readonly Block[];
  readonly scaleNote: string;
  readonly scaleLabel: string;
  readonly capLine: string;
  readonly attribution: string;
}

/** Space-like characters fonts often lack become no-break spaces; invisible format characters go. */
function normaliseForPrint(text: string): string {
  return text.replace(/[\u2000-\u200a\u202f\u205f]/g, '\u00a0').replace(/[\u200b\u2060\ufeff\t]/g, '');
}

function pageTexts(message: WarningMessage, source: BulletinText, map: MapDrawing): PageTexts {
  const { language, words } = bulletinWords(source.language);
  const { labels } = words;
  const sep = words.labelSeparator;
  const severity = KNOWN_SEVERITIES.has(message.severity)
    ? severityName(message.severity as CapSeverity, language)
    : message.severity;
  const levels = [
    `${labels.severity}${sep}${severity}`,
    `${labels.urgency}${sep}${capValueName(words.urgencyNames, message.urgency)}`,
    `${labels.certainty}${sep}${capValueName(words.certaintyNames, message.certainty)}`,
  ].join(' · ');
  const fact = (text: string, gapBefore = 0): Block => ({
    text,
    face: 'regular',
    size: 10,
    colour: '#222222',
    gapBefore,
  });
  const blocks: Block[] = [
    { text: source.headline, face: 'bold', size: 15, colour: '#000000', gapBefore: 0 },
    fact(`${labels.area}${sep}${source.areaDesc}`, 8),
    fact(
      `${labels.issued}${sep}${isoUtc(message.sent)}    ${labels.expires}${sep}${isoUtc(message.expires)}`,
    ),
    fact(levels),
    fact(`${labels.sender}${sep}${message.senderName}`),
    { text: source.description, face: 'regular', size: 11, colour: '#000000', gapBefore: 10 },
  ];
  if (source.instruction.trim() !== '') {
    blocks.push({ text: labels.instruction, face: 'bold', size: 11, colour: '#000000', gapBefore: 10 });
    blocks.push({ text: source.instruction, face: 'regular', size: 11, colour: '#000000', gapBefore: 2 });
  }
  const numbers = new Intl.NumberFormat(words.locale, { maximumSignificantDigits: 2 });
  const bar = scaleBar(map.view, MAP_BOX.width / 4);
  const normalise = (block: Block): Block => ({ ...block, text: normaliseForPrint(block.text) });
  return {
    source,
    rightToLeft: isRightToLeft(source.language),
    title: normaliseForPrint(source.title),
    blocks: blocks.filter((block) => block.text.trim() !== '').map(normalise),
    scaleNote: normaliseForPrint(words.scaleNote(numbers.format(kmPerCm(map.view)))),
    scaleLabel: normaliseForPrint(`${new Intl.NumberFormat(words.locale).format(bar.km)} ${words.km}`),
    capLine: normaliseForPrint(`${labels.capMessage}${sep}${message.capUrl}`),
    attribution: 'Natural Earth',
  };
}

function allTexts(texts: PageTexts): string[] {
  return [
    texts.title,
    ...texts.blocks.map((block) => block.text),
    texts.scaleNote,
    texts.scaleLabel,
    texts.capLine,
    texts.attribution,
  ];
}

/** Replaces what no chosen font can draw with "?", counting it, so nothing prints as an empty box. */
function replaceUncovered(
  texts: PageTexts,
  pair: FontPair,
  fonts: readonly SystemFont[],
): { texts: PageTexts; replaced: number } {
  let replaced = 0;
  const drawable = (text: string): string => {
    let out = '';
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      if (drawnCodePoints([char]).size === 0 || coveredBy(pair, fonts, code)) out += char;
      else {
        out += '?';
        replaced++;
      }
    }
    return out;
  };
  return {
    texts: {
      ...texts,
      title: drawable(texts.title),
      blocks: texts.blocks.map((block) => ({ ...block, text: drawable(block.text) })),
      scaleNote: drawable(texts.scaleNote),
      scaleLabel: drawable(texts.scaleLabel),
      capLine: drawable(texts.capLine),
    },
    replaced,
  };
}

/**
 * Any `features` makes pdfkit shape a run as a whole; without, it shapes word by word and fontkit reverses
 * each Arabic word on its own, leaving the words themselves in left-to-right order. An empty list keeps
 * fontkit's default features (Arabic joining forms, ligatures, kerning).
 */
const WHOLE_RUN: PDFKit.Mixins.OpenTypeFeatures[] = [];

/** Draws lines with bidi ordering on one pdfkit document, in one font pair. */
class PageWriter {
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly pair: FontPair,
    private readonly rightToLeft: boolean,
  ) {}

  use(face: Face, size: number): void {
    const font: FontFace = face === 'bold' ? this.pair.bold : this.pair.regular;
    if (font.family === undefined) this.doc.font(font.src, size);
    else this.doc.font(font.src, font.family, size);
  }

  private measure(text: string): number {
    return this.doc.widthOfString(text, { features: WHOLE_RUN });
  }

  /** Width of a line as drawn, run by run (each run shaped on its own, as it is drawn). */
  width(line: string): number {
    let width = 0;
    for (const run of visualRuns(line, this.rightToLeft)) width += this.measure(shapingText(run));
    return width;
  }

  wrap(text: string, maxWidth: number): string[] {
    return wrapText(text, maxWidth, (candidate) => this.width(candidate));
  }

  /** One line from the start edge (left, or right in right-to-left text) of [x, x + width]. */
  line(line: string, x: number, width: number, y: number, colour: string): void {
    const runs = visualRuns(line, this.rightToLeft);
    const pieces = runs.map((run) => ({ text: shapingText(run), width: this.measure(shapingText(run)) }));
    const total = pieces.reduce((sum, piece) => sum + piece.width, 0);
    let cursor = this.rightToLeft ? x + width - total : x;
    this.doc.fillColor(colour);
    for (const piece of pieces) {
      if (piece.text !== '') this.doc.text(piece.text, cursor, y, { lineBreak: false, features: WHOLE_RUN });
      cursor += piece.width;
    }
  }
}

interface LaidOutBlock {
  readonly block: Block;
  readonly size: number;
  readonly lines: string[];
}

/** The body at the largest scale that fits above the map; at the smallest, lines past the bottom are cut with "…". */
function layoutBody(writer: PageWriter, blocks: readonly Block[]): LaidOutBlock[] {
  const available = TEXT_BOTTOM - TEXT_TOP;
  let laidOut: LaidOutBlock[] = [];
  for (const scale of SCALES) {
    laidOut = blocks.map((block) => {
      const size = block.size * scale;
      writer.use(block.face, size);
      return { block, size, lines: writer.wrap(block.text, CONTENT_WIDTH) };
    });
    if (bodyHeight(laidOut) <= available) return laidOut;
  }
  const cut: LaidOutBlock[] = [];
  let y = 0;
  for (const item of laidOut) {
    const lineHeight = item.size * LEADING;
    y += item.block.gapBefore;
    const room = Math.floor((available - y) / lineHeight);
    if (room <= 0) break;
    const lines = item.lines.slice(0, room);
    if (lines.length < item.lines.length) lines[lines.length - 1] = `${lines.at(-1) ?? ''}…`;
    cut.push({ ...item, lines });
    y += lines.length * lineHeight;
  }
  return cut;
}

function bodyHeight(blocks: readonly LaidOutBlock[]): number {
  return blocks.reduce(
    (sum, item) => sum + item.block.gapBefore + item.lines.length * item.size * LEADING,
    0,
  );
}

function drawTitle(writer: PageWriter, doc: PDFKit.PDFDocument, title: string, severity: string): void {
  const colour = severityColour(severity);
  doc.rect(MARGIN, MARGIN, CONTENT_WIDTH, BAND_HEIGHT).fill(colour.fill);
  const inner = CONTENT_WIDTH - 24;
  for (let size = 22; size >= 11; size--) {
    writer.use('bold', size);
    if (writer.width(title) <= inner || size === 11) {
      const lines = writer.wrap(title, inner).slice(0, 2);
      const lineHeight = size * 1.15;
      let y = MARGIN + (BAND_HEIGHT - lines.length * lineHeight) / 2;
      for (const line of lines) {
        writer.line(line, MARGIN + 12, inner, y, colour.ink);
        y += lineHeight;
      }
      return;
    }
  }
}

function tracePath(doc: PDFKit.PDFDocument, rings: readonly (readonly [number, number][])[]): void {
  for (const ring of rings) {
    const [first, ...rest] = ring;
    if (first === undefined || rest.length < 2) continue;
    doc.moveTo(first[0], first[1]);
    for (const [x, y] of rest) doc.lineTo(x, y);
    doc.closePath();
  }
}

function drawMap(doc: PDFKit.PDFDocument, map: MapDrawing, severity: string): void {
  const box = MAP_BOX;
  const colour = severityColour(severity);
  doc.save();
  doc.rect(box.x, box.y, box.width, box.height).clip();
  doc.rect(box.x, box.y, box.width, box.height).fill('#e6f0f7');
  doc.lineWidth(0.4);
  for (const country of map.countries.filter((c) => !c.touched)) {
    tracePath(doc, country.rings);
    doc.fillAndStroke('#f4f2ec', '#9a9a9a', 'even-odd');
  }
  doc.lineWidth(0.9);
  for (const country of map.countries.filter((c) => c.touched)) {
    tracePath(doc, country.rings);
    doc.fillAndStroke('#ebe6da', '#4d4d4d', 'even-odd');
  }
  tracePath(doc, map.area);
  doc.fillOpacity(0.6).fill(colour.fill, 'even-odd').fillOpacity(1);
  tracePath(doc, map.area);
  doc.lineWidth(1.4).strokeColor(colour.edge).stroke();
  doc.restore();
  doc.lineWidth(0.6).strokeColor('#555555').rect(box.x, box.y, box.width, box.height).stroke();
}

function drawFooter(writer: PageWriter, doc: PDFKit.PDFDocument, texts: PageTexts, map: MapDrawing): void {
  const top = MAP_BOX.y + MAP_BOX.height + 6;
  const bar = scaleBar(map.view, MAP_BOX.width / 4);
  // The bar sits at the start edge, the note beside it.
  const barX = texts.rightToLeft ? MARGIN + CONTENT_WIDTH - bar.points : MARGIN;
  doc.lineWidth(1.2).strokeColor('#000000');
  doc
    .moveTo(barX, top + 6)
    .lineTo(barX + bar.points, top + 6)
    .stroke();
  doc
    .moveTo(barX, top + 2)
    .lineTo(barX, top + 10)
    .stroke();
  doc
    .moveTo(barX + bar.points, top + 2)
    .lineTo(barX + bar.points, top + 10)
    .stroke();
  writer.use('regular', 8);
  const labelWidth = writer.width(texts.scaleLabel);
  const noteX = texts.rightToLeft ? MARGIN : MARGIN + bar.points + labelWidth + 14;
  const labelX = texts.rightToLeft ? barX - labelWidth - 4 : barX + bar.points + 4;
  writer.line(texts.scaleLabel, labelX, labelWidth, top + 2, '#000000');
  const noteWidth = CONTENT_WIDTH - bar.points - labelWidth - 14;
  writer.line(writer.wrap(texts.scaleNote, noteWidth)[0] ?? '', noteX, noteWidth, top + 2, '#333333');
  let y = top + 16;
  for (const line of writer.wrap(texts.capLine, CONTENT_WIDTH).slice(0, 2)) {
    writer.line(line, MARGIN, CONTENT_WIDTH, y, '#000000');
    y += 8 * LEADING;
  }
  writer.use('regular', 7);
  writer.line(texts.attribution, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - MARGIN - 8, '#666666');
}

/** Picks the language and fonts: the message's when a font covers it, else English, else English with "?". */
function chooseTexts(
  message: WarningMessage,
  map: MapDrawing,
  fonts: readonly SystemFont[],
): { texts: PageTexts; pair: FontPair; replaced: number } {
  const own = pageTexts(message, bulletinText(message), map);
  const ownPair = fontsFor(allTexts(own), fonts);
  if (ownPair !== null) return { texts: own, pair: ownPair, replaced: 0 };
  const english = pageTexts(
    message,
    englishBulletinText(
      message,
      `no installed font covers every character of "${message.language}"; printed in English`,
    ),
    map,
  );
  const englishPair = fontsFor(allTexts(english), fonts);
  if (englishPair !== null) return { texts: english, pair: englishPair, replaced: 0 };
  // Some name in the English text is in a script no font has: the fonts of the labels, and "?" for the rest.
  const labelPair = fontsFor([english.title, english.capLine, english.scaleNote], fonts) ?? HELVETICA;
  const { texts, replaced } = replaceUncovered(english, labelPair, fonts);
  return { texts, pair: labelPair, replaced };
}

/** Writes the bulletin as a one-page A4 PDF at `outPath` (directories created as needed). */
export async function makePrintedBulletin(
  message: WarningMessage,
  outPath: string,
  options: PrintedBulletinOptions = {},
): Promise<PrintedBulletin> {
  const fonts = options.fonts ?? (await systemFonts());
  const map = mapDrawing(message.geometry, message.countries, MAP_BOX);
  const { texts, pair, replaced } = chooseTexts(message, map, fonts);

  await mkdir(dirname(outPath), { recursive: true });
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    compress: options.compress ?? true,
    lang: texts.source.language,
    displayTitle: true,
    info: {
      Title: message.headline,
      Author: message.senderName,
      Subject: texts.title,
      Keywords: `CAP; ${message.identifier}`,
      CreationDate: new Date(message.sent),
    },
  });
  let pages = 1;
  doc.on('pageAdded', () => {
    pages++;
  });
  const out = createWriteStream(outPath);
  const written = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  try {
    const writer = new PageWriter(doc, pair, texts.rightToLeft);
    drawTitle(writer, doc, texts.title, message.severity);
    let y = TEXT_TOP;
    for (const item of layoutBody(writer, texts.blocks)) {
      writer.use(item.block.face, item.size);
      y += item.block.gapBefore;
      for (const line of item.lines) {
        writer.line(line, MARGIN, CONTENT_WIDTH, y, item.block.colour);
        y += item.size * LEADING;
      }
    }
    drawMap(doc, map, message.severity);
    drawFooter(writer, doc, texts, map);
    doc.end();
    await written;
  } catch (error) {
    out.destroy();
    await rm(outPath, { force: true });
    throw error;
  }
  return {
    path: outPath,
    pages,
    language: texts.source.language,
    fallbackReason: texts.source.fallbackReason,
    fonts: pair.names,
    replacedCharacters: replaced,
  };
}
