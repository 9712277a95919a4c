import { describe, expect, it } from 'vitest';
import { breakSegments, isRightToLeftText, shapingText, visualRuns, wrapText } from './text-layout.ts';

const FSI = '\u2068';
const PDI = '\u2069';
const reverse = (text: string): string => [...text].reverse().join('');

describe('visualRuns', () => {
  it('leaves left-to-right text as one run', () => {
    expect(visualRuns('Severe warning: PM2.5 at 08:00', false)).toEqual([
      { text: 'Severe warning: PM2.5 at 08:00', rtl: false },
    ]);
  });

  it('draws Arabic right to left, handing the shaper its logical order back', () => {
    const runs = visualRuns('تحذير شديد', true);
    expect(runs).toEqual([{ text: reverse('تحذير شديد'), rtl: true }]);
    expect(shapingText(runs[0]!)).toBe('تحذير شديد');
  });

  it('keeps an isolated measurement left to right inside Arabic', () => {
    expect(visualRuns(`بلغت ${FSI}175 µg/m³${PDI} في`, true)).toEqual([
      { text: reverse(' في'), rtl: true },
      { text: '175 µg/m³', rtl: false },
      { text: reverse('بلغت '), rtl: true },
    ]);
  });

  it('joins a decimal number without isolates (W4) and keeps it left to right', () => {
    expect(visualRuns('المستوى 2.5 الآن', true)).toEqual([
      { text: reverse(' الآن'), rtl: true },
      { text: '2.5', rtl: false },
      { text: reverse('المستوى '), rtl: true },
    ]);
  });

  it('mirrors brackets drawn right to left', () => {
    const runs = visualRuns('في (المستوى 3)', true);
    expect(runs).toEqual([
      { text: '(', rtl: true },
      { text: '3', rtl: false },
      { text: ` ${reverse('المستوى')}) ${reverse('في')}`, rtl: true },
    ]);
    // A right-to-left run without Arabic letters is already in the order to draw.
    expect(shapingText(runs[0]!)).toBe('(');
  });

  it('puts an Arabic name inside English text right to left', () => {
    expect(visualRuns('Warning for دكا today', false)).toEqual([
      { text: 'Warning for ', rtl: false },
      { text: reverse('دكا'), rtl: true },
      { text: ' today', rtl: false },
    ]);
  });

  it('reads a Latin label with digits in Arabic text as one left-to-right run (W7)', () => {
    expect(visualRuns('قيمة PM2.5 بلغت', true)).toEqual([
      { text: reverse(' بلغت'), rtl: true },
      { text: 'PM2.5', rtl: false },
      { text: reverse('قيمة '), rtl: true },
    ]);
  });

  it('drops the isolate controls themselves', () => {
    const drawn = visualRuns(`في ${FSI}Dhaka${PDI}`, true)
      .map((run) => run.text)
      .join('');
    expect(drawn).not.toMatch(/[\u2066-\u2069]/);
  });
});

describe('isRightToLeftText', () => {
  it('follows the first strong character', () => {
    expect(isRightToLeftText('تحذير from EW4E')).toBe(true);
    expect(isRightToLeftText('2024 تحذير')).toBe(true);
    expect(isRightToLeftText('EW4E تحذير')).toBe(false);
    expect(isRightToLeftText('2024')).toBe(false);
  });
});

describe('breakSegments', () => {
  it('breaks after spaces, between CJK characters, never before closing punctuation or inside an isolate', () => {
    expect(breakSegments('Severe air pollution')).toEqual(['Severe ', 'air ', 'pollution']);
    expect(breakSegments('空气污染。预警（严重）')).toEqual([
      '空',
      '气',
      '污',
      '染。',
      '预',
      '警',
      '（严',
      '重）',
    ]);
    expect(breakSegments(`في ${FSI}175 µg/m³${PDI} الآن`)).toEqual(['في ', `${FSI}175 µg/m³${PDI} `, 'الآن']);
  });
});

describe('wrapText', () => {
  const width = (text: string): number => [...text].length;

  it('fills lines greedily and cuts a word longer than a line', () => {
    expect(wrapText('aaa bbb ccc', 7, width)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('abcdefghij', 4, width)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one\ntwo', 10, width)).toEqual(['one', 'two']);
  });
});
