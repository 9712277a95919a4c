/** CAP levels as people read them: colours by severity (the same as the printed bulletin's) and names per language. */
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

/** "air_pollution" → "Air pollution" (hazard names are the platform's codes; CAP texts carry the local words). */
export function hazardName(code: string): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const SEVERITY_ORDER = ['Unknown', 'Minor', 'Moderate', 'Severe', 'Extreme'];
