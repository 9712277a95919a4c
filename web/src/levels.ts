/** CAP levels and hazards as people read them: colours by severity (the same as the printed bulletin's), names per language. */
import { signal } from '@preact/signals';
import { get } from './api.ts';
import { language } from './i18n.ts';

export const SEVERITY_COLOURS: Record<string, string> = {
  Extreme: '#7b1fa2',
  Severe: '#d32f2f',
  Moderate: '#f57c00',
  Minor: '#fbc02d',
  Unknown: '#757575',
};

const SEVERITY_NAMES: Record<string, Record<string, string>> = {
  en: { Extreme: 'Extreme', Severe: 'Severe', Moderate: 'Moderate', Minor: 'Minor', Unknown: 'Unknown' },
  fr: { Extreme: 'Extrême', Severe: 'Sévère', Moderate: 'Modérée', Minor: 'Mineure', Unknown: 'Inconnue' },
  es: { Extreme: 'Extrema', Severe: 'Grave', Moderate: 'Moderada', Minor: 'Menor', Unknown: 'Desconocida' },
  zh: { Extreme: '特别严重', Severe: '严重', Moderate: '较重', Minor: '一般', Unknown: '未知' },
  ar: { Extreme: 'قصوى', Severe: 'شديدة', Moderate: 'متوسطة', Minor: 'طفيفة', Unknown: 'غير معروفة' },
};

export function severityName(severity: string): string {
  return SEVERITY_NAMES[language.value]?.[severity] ?? severity;
}

/** CAP message types and the review states of a version, as the dashboard's language names them (English as is). */
const MESSAGE_WORDS: Record<string, Record<string, string>> = {
  fr: {
    Alert: 'Alerte',
    Update: 'Mise à jour',
    Cancel: 'Annulation',
    draft: 'brouillon',
    published: 'publiée',
    rejected: 'rejetée',
    withdrawn: 'retirée',
    inhibited: 'inhibée',
    silenced: 'en sourdine',
  },
  es: {
    Alert: 'Alerta',
    Update: 'Actualización',
    Cancel: 'Cancelación',
    draft: 'borrador',
    published: 'publicada',
    rejected: 'rechazada',
    withdrawn: 'retirada',
    inhibited: 'inhibida',
    silenced: 'silenciada',
  },
  zh: {
    Alert: '发布',
    Update: '更新',
    Cancel: '解除',
    draft: '草稿',
    published: '已发布',
    rejected: '已驳回',
    withdrawn: '已撤回',
    inhibited: '已抑制',
    silenced: '已静默',
  },
  ar: {
    Alert: 'إنذار',
    Update: 'تحديث',
    Cancel: 'إلغاء',
    draft: 'مسودة',
    published: 'منشورة',
    rejected: 'مرفوضة',
    withdrawn: 'مسحوبة',
    inhibited: 'محجوبة',
    silenced: 'مكتومة',
  },
};

/** A CAP msgType (Alert, Update, Cancel) or a version's status (draft, published …) in the dashboard's language. */
export function messageWord(word: string): string {
  return MESSAGE_WORDS[language.value]?.[word] ?? word;
}

/** Each hazard's name per language tag, from GET /v1/hazards (the words the CAP texts use); empty until loaded. */
const hazardNames = signal<ReadonlyMap<string, Readonly<Record<string, string>>>>(new Map());
let hazardsLoading: Promise<void> | null = null;

/**
 * Loads the hazard names once (after sign-in); every `hazardName` shown meanwhile falls back to the code and is
 * redrawn when they arrive. A failed load is tried again at the next call.
 */
export function loadHazardNames(): Promise<void> {
  hazardsLoading ??= get<{ items: { code: string; names: Record<string, string> }[] }>('/v1/hazards').then(
    (list) => {
      hazardNames.value = new Map(list.items.map((h) => [h.code, h.names]));
    },
    () => {
      hazardsLoading = null;
    },
  );
  return hazardsLoading;
}

/**
 * A hazard in the chosen language ("noise_pollution" → "Pollution sonore"); while the names load, or for a code
 * the platform does not know, the code made readable ("air_pollution" → "Air pollution"). Reading the signals
 * subscribes the calling component to both the names and the language.
 */
export function hazardName(code: string): string {
  const name = hazardNames.value.get(code)?.[language.value];
  if (name !== undefined) return name;
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const SEVERITY_ORDER = ['Unknown', 'Minor', 'Moderate', 'Severe', 'Extreme'];
