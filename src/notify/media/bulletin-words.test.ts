import { describe, expect, it } from 'vitest';
import { WARNING_LANGUAGES } from '../../warn/words/warning-words.ts';
import {
  bulletinTitle,
  bulletinWords,
  capValueName,
  formatUtc,
  isoUtc,
  primaryLanguage,
} from './bulletin-words.ts';

describe('bulletinWords', () => {
  it.each(WARNING_LANGUAGES)('has every label and title in %s', (language) => {
    const { words } = bulletinWords(language);
    for (const label of Object.values(words.labels)) expect(label.trim()).not.toBe('');
    const alert = bulletinTitle(words, language, { msgType: 'Alert', severity: 'Extreme', event: 'EVENT' });
    const unknown = bulletinTitle(words, language, { msgType: 'Alert', severity: 'Unknown', event: 'EVENT' });
    const lifted = bulletinTitle(words, language, { msgType: 'Cancel', severity: 'Extreme', event: 'EVENT' });
    for (const title of [alert, unknown, lifted]) expect(title).toContain('EVENT');
    expect(new Set([alert, unknown, lifted]).size).toBe(3);
    expect(formatUtc('2024-01-02T02:00:00Z', words)).toMatch(/2024.*UTC$/);
  });

  it('answers English for a tag it has no words for, and reads region subtags', () => {
    expect(bulletinWords('pt-BR').language).toBe('en');
    expect(bulletinWords('zh-Hans-CN').language).toBe('zh');
    expect(primaryLanguage(' AR_eg ')).toBe('ar');
  });

  it('names CAP values in the language and passes unknown ones through', () => {
    const { words } = bulletinWords('fr');
    expect(capValueName(words.urgencyNames, 'Immediate')).toBe('Immédiate');
    expect(capValueName(words.certaintyNames, 'Rumoured')).toBe('Rumoured');
    expect(capValueName(words.certaintyNames, 'toString')).toBe('toString');
  });

  it('writes instants as ISO 8601 UTC to the second', () => {
    expect(isoUtc('2024-01-01T08:00:00+06:00')).toBe('2024-01-01T02:00:00Z');
    expect(isoUtc('not a time')).toBe('not a time');
  });
});
