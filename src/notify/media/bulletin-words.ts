/**
 * @module The words around a warning in e-mails and bulletins, in the six UN languages: field labels
 * ("Area", "Expires"), CAP urgency and certainty names (CAP 1.2 §3.2.2), a bulletin's title, and how a
 * presenter says clock times and units. The warning's own texts come from `warn/words`.
 */
import type { CapCertainty, CapSeverity, CapUrgency } from '../../warn/cap/cap-alert.ts';
import { isWarningLanguage, severityName, type WarningLanguage } from '../../warn/words/warning-words.ts';

export interface FieldLabels {
  readonly area: string;
  readonly severity: string;
  readonly urgency: string;
  readonly certainty: string;
  readonly issued: string;
  readonly expires: string;
  readonly sender: string;
  readonly moreInformation: string;
  readonly capMessage: string;
  readonly unsubscribe: string;
  readonly acknowledge: string;
  readonly instruction: string;
  /** E-mail footer: why the reader got this message. */
  readonly subscribed: string;
  readonly map: string;
}

export interface BulletinWords {
  /** The Intl locale for dates and numbers (Arabic with Latin digits, as the warning texts use). */
  readonly locale: string;
  readonly rightToLeft: boolean;
  /** Between a label and its value: ": ", French " : ", Chinese "：". */
  readonly labelSeparator: string;
  /** Ends a sentence the bulletin adds (a title read aloud). */
  readonly fullStop: string;
  readonly labels: FieldLabels;
  readonly urgencyNames: Readonly<Record<CapUrgency, string>>;
  readonly certaintyNames: Readonly<Record<CapCertainty, string>>;
  /** "Severe warning: Air pollution"; `severity` is null when unknown. */
  title(severity: string | null, event: string): string;
  /** For a Cancel: "Warning lifted: Air pollution". */
  liftedTitle(event: string): string;
  /** The kilometre's symbol, for a scale bar. */
  readonly km: string;
  /** The scale note under a map: `kmPerCm` is already formatted for the locale. */
  scaleNote(kmPerCm: string): string;
  /** A 24-hour clock time as a presenter reads it (espeak-ng reads "08:00" as "eight zero zero"). */
  spokenClock(hour: number, minute: number): string;
  /**
   * Unit symbols as words, for speech: espeak-ng reads "µg/m³" as "microgram slash m three". Only units
   * the voice misreads; a unit whose word goes before the number in the language (Chinese 百分之) is left out.
   */
  readonly spokenUnits: Readonly<Record<string, string>>;
  /** Abbreviations espeak-ng spells out, with what a presenter says instead. */
  readonly spokenAbbreviations: readonly (readonly [RegExp, string])[];
}

const lower = (text: string, locale: string): string => text.toLocaleLowerCase(locale);
const pad2 = (n: number): string => String(n).padStart(2, '0');

const EN: BulletinWords = {
  // As the warning texts: "1 January 2024" reads the same everywhere, "January 1" does not.
  locale: 'en-GB',
  rightToLeft: false,
  labelSeparator: ': ',
  fullStop: '.',
  labels: {
    area: 'Area',
    severity: 'Severity',
    urgency: 'Urgency',
    certainty: 'Certainty',
    issued: 'Issued',
    expires: 'Expires',
    sender: 'Issued by',
    moreInformation: 'More information',
    capMessage: 'CAP message (XML)',
    unsubscribe: 'Unsubscribe',
    acknowledge: 'Acknowledge receipt',
    instruction: 'What to do',
    subscribed: 'You receive this warning because you subscribed to warnings for this area.',
    map: 'Map',
  },
  urgencyNames: {
    Immediate: 'Immediate',
    Expected: 'Expected',
    Future: 'Future',
    Past: 'Past',
    Unknown: 'Unknown',
  },
  certaintyNames: {
    Observed: 'Observed',
    Likely: 'Likely',
    Possible: 'Possible',
    Unlikely: 'Unlikely',
    Unknown: 'Unknown',
  },
  title: (severity, event) => (severity === null ? `Warning: ${event}` : `${severity} warning: ${event}`),
  liftedTitle: (event) => `Warning lifted: ${event}`,
  km: 'km',
  scaleNote: (km) => `Equirectangular projection; 1 cm = ${km} km`,
  spokenClock: (hour, minute) => (minute === 0 ? `${hour} o'clock` : `${hour} ${pad2(minute)}`),
  spokenUnits: {
    'µg/m³': 'micrograms per cubic metre',
    'mg/m³': 'milligrams per cubic metre',
    'µg/L': 'micrograms per litre',
    'mg/L': 'milligrams per litre',
    '°C': 'degrees Celsius',
    'km²': 'square kilometres',
    ha: 'hectares',
    ppm: 'parts per million',
    ppb: 'parts per billion',
    'km/h': 'kilometres per hour',
  },
  spokenAbbreviations: [],
};

const FR: BulletinWords = {
  locale: 'fr',
  rightToLeft: false,
  labelSeparator: '\u00a0: ',
  fullStop: '.',
  labels: {
    area: 'Zone',
    severity: 'Gravité',
    urgency: 'Urgence',
    certainty: 'Certitude',
    issued: 'Émise',
    expires: 'Fin de validité',
    sender: 'Émetteur',
    moreInformation: "Plus d'informations",
    capMessage: 'Message CAP (XML)',
    unsubscribe: 'Se désabonner',
    acknowledge: 'Accuser réception',
    instruction: 'Que faire',
    subscribed: 'Vous recevez cette alerte car vous êtes abonné aux alertes pour cette zone.',
    map: 'Carte',
  },
  urgencyNames: {
    Immediate: 'Immédiate',
    Expected: 'Attendue',
    Future: 'Future',
    Past: 'Passée',
    Unknown: 'Inconnue',
  },
  certaintyNames: {
    Observed: 'Observée',
    Likely: 'Probable',
    Possible: 'Possible',
    Unlikely: 'Peu probable',
    Unknown: 'Inconnue',
  },
  title: (severity, event) =>
    severity === null ? `Alerte\u00a0: ${event}` : `Alerte ${lower(severity, 'fr')}\u00a0: ${event}`,
  liftedTitle: (event) => `Fin d'alerte\u00a0: ${event}`,
  km: 'km',
  scaleNote: (km) => `Projection équirectangulaire\u00a0; 1\u00a0cm = ${km}\u00a0km`,
  spokenClock: (hour, minute) => (minute === 0 ? `${hour} heures` : `${hour} heures ${minute}`),
  spokenUnits: {
    'µg/m³': 'microgrammes par mètre cube',
    'mg/m³': 'milligrammes par mètre cube',
    'µg/L': 'microgrammes par litre',
    'mg/L': 'milligrammes par litre',
    '°C': 'degrés Celsius',
    'km²': 'kilomètres carrés',
    ha: 'hectares',
    ppm: 'parties par million',
    ppb: 'parties par milliard',
    'km/h': 'kilomètres par heure',
  },
  spokenAbbreviations: [],
};

const ES: BulletinWords = {
  locale: 'es',
  rightToLeft: false,
  labelSeparator: ': ',
  fullStop: '.',
  labels: {
    area: 'Zona',
    severity: 'Gravedad',
    urgency: 'Urgencia',
    certainty: 'Certeza',
    issued: 'Emitida',
    expires: 'Vigente hasta',
    sender: 'Emisor',
    moreInformation: 'Más información',
    capMessage: 'Mensaje CAP (XML)',
    unsubscribe: 'Cancelar la suscripción',
    acknowledge: 'Acusar recibo',
    instruction: 'Qué hacer',
    subscribed: 'Recibe esta alerta porque está suscrito a las alertas de esta zona.',
    map: 'Mapa',
  },
  urgencyNames: {
    Immediate: 'Inmediata',
    Expected: 'Prevista',
    Future: 'Futura',
    Past: 'Pasada',
    Unknown: 'Desconocida',
  },
  certaintyNames: {
    Observed: 'Observada',
    Likely: 'Probable',
    Possible: 'Posible',
    Unlikely: 'Poco probable',
    Unknown: 'Desconocida',
  },
  title: (severity, event) =>
    severity === null ? `Alerta: ${event}` : `Alerta ${lower(severity, 'es')}: ${event}`,
  liftedTitle: (event) => `Fin de la alerta: ${event}`,
  km: 'km',
  scaleNote: (km) => `Proyección equirrectangular; 1 cm = ${km} km`,
  // The warning texts say "a las 08:00": "a las 8 horas", "a las 8 y 30".
  spokenClock: (hour, minute) => (minute === 0 ? `${hour} horas` : `${hour} y ${minute}`),
  spokenUnits: {
    'µg/m³': 'microgramos por metro cúbico',
    'mg/m³': 'miligramos por metro cúbico',
    'µg/L': 'microgramos por litro',
    'mg/L': 'miligramos por litro',
    '°C': 'grados Celsius',
    'km²': 'kilómetros cuadrados',
    ha: 'hectáreas',
    ppm: 'partes por millón',
    ppb: 'partes por mil millones',
    'km/h': 'kilómetros por hora',
  },
  spokenAbbreviations: [],
};

const AR: BulletinWords = {
  locale: 'ar-u-nu-latn',
  rightToLeft: true,
  labelSeparator: ': ',
  fullStop: '.',
  labels: {
    area: 'المنطقة',
    severity: 'درجة الخطورة',
    urgency: 'درجة الاستعجال',
    certainty: 'درجة اليقين',
    issued: 'صدر في',
    expires: 'ينتهي في',
    sender: 'الجهة المُصدِرة',
    moreInformation: 'مزيد من المعلومات',
    capMessage: 'رسالة CAP (XML)',
    unsubscribe: 'إلغاء الاشتراك',
    acknowledge: 'تأكيد الاستلام',
    instruction: 'ما يجب فعله',
    subscribed: 'تصلك هذه الرسالة لأنك مشترك في التحذيرات الخاصة بهذه المنطقة.',
    map: 'الخريطة',
  },
  urgencyNames: {
    Immediate: 'فوري',
    Expected: 'متوقع قريبًا',
    Future: 'مستقبلي',
    Past: 'انقضى',
    Unknown: 'غير معروف',
  },
  certaintyNames: {
    Observed: 'مرصود',
    Likely: 'مرجح',
    Possible: 'محتمل',
    Unlikely: 'غير مرجح',
    Unknown: 'غير معروف',
  },
  title: (severity, event) => (severity === null ? `تحذير: ${event}` : `تحذير ${severity}: ${event}`),
  liftedTitle: (event) => `رفع التحذير: ${event}`,
  km: 'كم',
  scaleNote: (km) => `إسقاط متساوي المسافات؛ 1 سم = ${km} كم`,
  // The warning texts say "الساعة 08:00": "الساعة 8", "الساعة 8 و30 دقيقة".
  spokenClock: (hour, minute) => (minute === 0 ? `${hour}` : `${hour} و${minute} دقيقة`),
  spokenUnits: {
    'µg/m³': 'ميكروغرام لكل متر مكعب',
    'mg/m³': 'مليغرام لكل متر مكعب',
    'µg/L': 'ميكروغرام لكل لتر',
    'mg/L': 'مليغرام لكل لتر',
    '°C': 'درجة مئوية',
    'km²': 'كيلومتر مربع',
    ha: 'هكتار',
    ppm: 'جزء في المليون',
    ppb: 'جزء في المليار',
    'km/h': 'كيلومتر في الساعة',
    '%': 'في المئة',
  },
  spokenAbbreviations: [],
};

const RU: BulletinWords = {
  locale: 'ru',
  rightToLeft: false,
  labelSeparator: ': ',
  fullStop: '.',
  labels: {
    area: 'Район',
    severity: 'Опасность',
    urgency: 'Срочность',
    certainty: 'Достоверность',
    issued: 'Выпущено',
    expires: 'Действует до',
    sender: 'Отправитель',
    moreInformation: 'Подробнее',
    capMessage: 'Сообщение CAP (XML)',
    unsubscribe: 'Отписаться',
    acknowledge: 'Подтвердить получение',
    instruction: 'Что делать',
    subscribed: 'Вы получили это предупреждение, потому что подписаны на предупреждения для этого района.',
    map: 'Карта',
  },
  urgencyNames: {
    Immediate: 'Немедленно',
    Expected: 'Ожидается',
    Future: 'В будущем',
    Past: 'Миновала',
    Unknown: 'Неизвестно',
  },
  certaintyNames: {
    Observed: 'Наблюдается',
    Likely: 'Вероятно',
    Possible: 'Возможно',
    Unlikely: 'Маловероятно',
    Unknown: 'Неизвестно',
  },
  // The severity names agree with "опасность" (feminine), as in the headlines.
  title: (severity, event) =>
    severity === null
      ? `Предупреждение: ${event}`
      : `Предупреждение, опасность ${lower(severity, 'ru')}: ${event}`,
  liftedTitle: (event) => `Отмена предупреждения: ${event}`,
  km: 'км',
  scaleNote: (km) => `Равнопромежуточная проекция; 1 см = ${km} км`,
  // Russian presenters read times as "восемь ноль-ноль", which espeak-ng does with "8 00".
  spokenClock: (hour, minute) => `${hour} ${pad2(minute)}`,
  spokenUnits: {
    'µg/m³': 'микрограммов на кубический метр',
    'mg/m³': 'миллиграммов на кубический метр',
    'µg/L': 'микрограммов на литр',
    'mg/L': 'миллиграммов на литр',
    '°C': 'градусов Цельсия',
    'km²': 'квадратных километров',
    ha: 'гектаров',
    ppm: 'миллионных долей',
    ppb: 'миллиардных долей',
    'km/h': 'километров в час',
  },
  // "2024 г.": espeak-ng reads the abbreviation as the letter "гэ".
  spokenAbbreviations: [[/(\d)\s?г\.(?=\s|$)/gu, '$1 года']],
};

const ZH: BulletinWords = {
  locale: 'zh-Hans',
  rightToLeft: false,
  labelSeparator: '：',
  fullStop: '。',
  labels: {
    area: '地区',
    severity: '严重程度',
    urgency: '紧急程度',
    certainty: '确定程度',
    issued: '发布时间',
    expires: '失效时间',
    sender: '发布单位',
    moreInformation: '详细信息',
    capMessage: 'CAP 消息（XML）',
    unsubscribe: '退订',
    acknowledge: '确认收到',
    instruction: '防护措施',
    subscribed: '您收到此预警，是因为您订阅了该地区的预警。',
    map: '地图',
  },
  urgencyNames: {
    Immediate: '立即',
    Expected: '预计即将发生',
    Future: '未来',
    Past: '已过去',
    Unknown: '未知',
  },
  certaintyNames: {
    Observed: '已观测到',
    Likely: '很可能',
    Possible: '可能',
    Unlikely: '不太可能',
    Unknown: '未知',
  },
  title: (severity, event) => (severity === null ? `${event}预警` : `${event}预警（${severity}）`),
  liftedTitle: (event) => `${event}预警解除`,
  km: '千米',
  scaleNote: (km) => `等距圆柱投影；1 厘米 = ${km} 千米`,
  spokenClock: (hour, minute) => (minute === 0 ? `${hour}点` : `${hour}点${minute}分`),
  spokenUnits: {
    'µg/m³': '微克每立方米',
    'mg/m³': '毫克每立方米',
    'µg/L': '微克每升',
    'mg/L': '毫克每升',
    '°C': '摄氏度',
    'km²': '平方千米',
    ha: '公顷',
    'km/h': '千米每小时',
  },
  spokenAbbreviations: [],
};

const WORDS: Readonly<Record<WarningLanguage, BulletinWords>> = {
  en: EN,
  fr: FR,
  es: ES,
  ar: AR,
  ru: RU,
  zh: ZH,
};

/** The primary subtag of an RFC 3066/5646 tag, lower case: "zh-CN" → "zh". */
export function primaryLanguage(tag: string): string {
  return (tag.trim().split(/[-_]/)[0] ?? '').toLowerCase();
}

/** Languages written right to left, for `dir` (the six UN languages plus the usual others a sender may use). */
const RIGHT_TO_LEFT: ReadonlySet<string> = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'yi', 'dv', 'ckb']);

export function isRightToLeft(tag: string): boolean {
  return RIGHT_TO_LEFT.has(primaryLanguage(tag));
}

/** The words for a language tag; English for a language we have no words for. */
export function bulletinWords(tag: string): {
  readonly language: WarningLanguage;
  readonly words: BulletinWords;
} {
  const primary = primaryLanguage(tag);
  const language: WarningLanguage = isWarningLanguage(primary) ? primary : 'en';
  return { language, words: WORDS[language] };
}

const CAP_SEVERITY_SET: ReadonlySet<string> = new Set(['Extreme', 'Severe', 'Moderate', 'Minor']);

/** The bulletin's title for a message: what happened and how bad, or that it is over. */
export function bulletinTitle(
  words: BulletinWords,
  language: WarningLanguage,
  message: { readonly msgType: string; readonly severity: string; readonly event: string },
): string {
  if (message.msgType === 'Cancel') return words.liftedTitle(message.event);
  const severity = CAP_SEVERITY_SET.has(message.severity)
    ? severityName(message.severity as CapSeverity, language)
    : null;
  return words.title(severity, message.event);
}

/** A CAP value in the language, or the value itself when CAP does not define it (a foreign alert). */
export function capValueName<K extends string>(names: Readonly<Record<K, string>>, value: string): string {
  return Object.hasOwn(names, value) ? names[value as K] : value;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** An ISO 8601 instant as a reader of the language writes it, in UTC ("2 January 2024 at 02:00 UTC"). */
export function formatUtc(iso: string, words: BulletinWords): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  let format = dateTimeFormats.get(words.locale);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(words.locale, {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'UTC',
      hourCycle: 'h23',
    });
    dateTimeFormats.set(words.locale, format);
  }
  return `${format.format(at)} UTC`;
}

/** An instant as ISO 8601 UTC to the second ("2024-01-02T02:00:00Z"), or the text as given when unreadable. */
export function isoUtc(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
