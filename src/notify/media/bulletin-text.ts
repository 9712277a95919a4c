/**
 * @module What a bulletin says, in the message's language or, when a medium cannot render that language
 * (no voice, no font), in English taken from the CAP alert's English `info` (CAP 1.2 §3.2.2: one info
 * block per language), so the English is the approved wording rather than a translation made here.
 */

import { isHazardCode } from '../../warn/hazards.ts';
import { hazardName } from '../../warn/words/warning-words.ts';
import type { WarningMessage } from '../channel.ts';
import { type BulletinWords, bulletinTitle, bulletinWords, primaryLanguage } from './bulletin-words.ts';

export interface BulletinText {
  /** The language the texts are in (the message's tag, or "en" after a fallback). */
  readonly language: string;
  readonly words: BulletinWords;
  /** Severity and event ("Severe warning: Air pollution"), or that the warning is lifted. */
  readonly title: string;
  readonly event: string;
  readonly headline: string;
  readonly description: string;
  readonly instruction: string;
  readonly areaDesc: string;
  /** Why the bulletin is not in the message's language; null when it is. */
  readonly fallbackReason: string | null;
}

/** The message's own texts, with the labels of its language (English labels for a language we have none for). */
export function bulletinText(message: WarningMessage): BulletinText {
  const { language, words } = bulletinWords(message.language);
  return {
    language: message.language,
    words,
    title: bulletinTitle(words, language, message),
    event: message.event,
    headline: message.headline,
    description: message.description,
    instruction: message.instruction,
    areaDesc: message.areaDesc,
    fallbackReason: null,
  };
}

/** The English texts of the same warning, for a medium that cannot say or print the message's language. */
export function englishBulletinText(message: WarningMessage, fallbackReason: string): BulletinText {
  if (primaryLanguage(message.language) === 'en') return { ...bulletinText(message), fallbackReason };
  const { words } = bulletinWords('en');
  const info = message.cap.info.find((candidate) => primaryLanguage(candidate.language) === 'en');
  if (info !== undefined) {
    const event = info.event;
    return {
      language: 'en',
      words,
      title: bulletinTitle(words, 'en', { msgType: message.msgType, severity: message.severity, event }),
      event,
      headline: info.headline ?? event,
      description: info.description ?? '',
      instruction: info.instruction ?? '',
      areaDesc: info.area[0]?.areaDesc ?? message.areaDesc,
      fallbackReason,
    };
  }
  // An alert without English (e.g. a federated one): the hazard's English name and a pointer to the original.
  const event = isHazardCode(message.hazard) ? hazardName(message.hazard, 'en') : message.hazard;
  const title = bulletinTitle(words, 'en', { msgType: message.msgType, severity: message.severity, event });
  return {
    language: 'en',
    words,
    title,
    event,
    headline: title,
    description: `This warning was issued in "${message.language}" only. Full text: ${message.webUrl}`,
    instruction: '',
    areaDesc: message.areaDesc,
    fallbackReason,
  };
}

/** Bidi controls (UAX #9): the warning texts isolate runs in Arabic; speech and fonts must not see them. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
