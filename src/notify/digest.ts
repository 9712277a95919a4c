/**
 * @module Digests: a subscriber's warnings gathered for the time of day they chose, told as one message —
 * which versions stand for which warnings, in what order, and the few words a digest adds, per language.
 */
import { CAP_SEVERITIES } from '../warn/cap/cap-alert.ts';
import type { WarningMessage } from './channel.ts';
import { primaryLanguage } from './media/bulletin-words.ts';

/**
 * The versions a digest shows: the latest of each warning (an Alert then its Update show as the Update; a
 * Cancel says the warning has ended), most severe first, then newest first.
 */
export function digestItems(messages: readonly WarningMessage[]): WarningMessage[] {
  const latest = new Map<number, WarningMessage>();
  for (const m of messages) {
    const seen = latest.get(m.threadId);
    if (seen === undefined || m.warningId > seen.warningId) latest.set(m.threadId, m);
  }
  const rank = (m: WarningMessage): number =>
    m.msgType === 'Cancel' ? -1 : CAP_SEVERITIES.length - CAP_SEVERITIES.indexOf(m.severity as never);
  return [...latest.values()].sort((a, b) => rank(b) - rank(a) || b.sent.localeCompare(a.sent));
}

export interface DigestWords {
  /** The subject / title, with the count in it. */
  title(count: number): string;
  /** Before the headline of a warning that has ended. */
  readonly ended: string;
}

const WORDS: Readonly<Record<string, DigestWords>> = {
  en: { title: (n) => `Warnings digest: ${n} ${n === 1 ? 'warning' : 'warnings'}`, ended: 'Ended' },
  fr: { title: (n) => `Résumé des alertes : ${n} ${n === 1 ? 'alerte' : 'alertes'}`, ended: 'Terminée' },
  es: { title: (n) => `Resumen de alertas: ${n} ${n === 1 ? 'alerta' : 'alertas'}`, ended: 'Finalizada' },
  ru: {
    title: (n) => `Сводка предупреждений: ${n}`,
    ended: 'Отменено',
  },
  zh: { title: (n) => `预警摘要：${n} 条预警`, ended: '已解除' },
  ar: { title: (n) => `ملخص الإنذارات: ${n}`, ended: 'انتهى' },
};

/** The digest words in a language (its primary subtag), else English. */
export function digestWords(language: string): DigestWords {
  return WORDS[primaryLanguage(language)] ?? (WORDS.en as DigestWords);
}

/** One line per warning: "[Ended: ]headline". */
export function digestLine(item: WarningMessage, words: DigestWords): string {
  return item.msgType === 'Cancel' ? `${words.ended}: ${item.headline}` : item.headline;
}
