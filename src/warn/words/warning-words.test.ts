import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from '../cap/cap-alert.ts';
import { HAZARD_CODES } from '../hazards.ts';
import {
  hazardName,
  isWarningLanguage,
  MAX_HEADLINE_LENGTH,
  severityName,
  WARNING_LANGUAGES,
  type WarningFacts,
  type WarningLanguage,
  type WarningWords,
  warningWords,
} from './warning-words.ts';

const FSI = '\u2068';
const PDI = '\u2069';
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const DHAKA: WarningFacts = {
  hazard: 'air_pollution',
  msgType: 'Alert',
  severity: 'Severe',
  urgency: 'Immediate',
  certainty: 'Observed',
  areaName: 'Dhaka',
  measurement: { label: 'PM2.5', value: 75.234, unit: 'µg/m³', level: 3 },
  eventCount: null,
  onsetMs: Date.UTC(2024, 0, 1, 2, 0),
  expiresMs: Date.UTC(2024, 0, 2, 2, 0),
  timeZone: 'Asia/Dhaka',
  leadTimeS: null,
  population: 10_234_567,
  corroborated: false,
  change: null,
};

const allText = (w: WarningWords): string[] => [w.event, w.headline, w.description, w.instruction];

/** Isolates pair up in order and never nest (each inserted run is isolated once). */
function isolatesBalanced(text: string): boolean {
  let open = false;
  for (const char of text) {
    if (char === FSI) {
      if (open) return false;
      open = true;
    } else if (char === PDI) {
      if (!open) return false;
      open = false;
    }
  }
  return !open;
}

const outsideIsolates = (text: string): string => text.replace(/\u2068[^\u2069]*\u2069/g, '');

function expectInvariants(w: WarningWords, language: WarningLanguage): void {
  for (const text of allText(w)) {
    expect(text.trim()).not.toBe('');
    expect(text).not.toMatch(/[{}]|undefined|NaN/);
    if (language === 'ar') {
      expect(isolatesBalanced(text)).toBe(true);
      // Every number and every Latin letter sits inside an isolate, so bidi cannot reorder it.
      expect(outsideIsolates(text)).not.toMatch(/[0-9A-Za-z]/);
    } else {
      expect(text).not.toMatch(BIDI_CONTROLS);
    }
  }
  expect(w.headline.length).toBeLessThanOrEqual(MAX_HEADLINE_LENGTH);
}

const MSG_VARIANTS: readonly Pick<WarningFacts, 'msgType' | 'change'>[] = [
  { msgType: 'Alert', change: null },
  { msgType: 'Update', change: 'escalated' },
  { msgType: 'Update', change: 'deescalated' },
  { msgType: 'Update', change: 'extended' },
  { msgType: 'Update', change: null },
  { msgType: 'Cancel', change: null },
];

describe('warningWords, every hazard × language × msgType × severity', () => {
  for (const language of WARNING_LANGUAGES) {
    it(`keeps the invariants in ${language}`, () => {
      for (const hazard of HAZARD_CODES) {
        for (const variant of MSG_VARIANTS) {
          for (const severity of CAP_SEVERITIES) {
            const w = warningWords({ ...DHAKA, ...variant, hazard, severity }, language);
            expectInvariants(w, language);
            expect(w.event).toBe(hazardName(hazard, language));
            expect(w.headline).toContain('Dhaka');
            if (variant.msgType !== 'Cancel' && severity !== 'Unknown') {
              const word = severityName(severity, language).toLocaleLowerCase(language);
              expect(w.headline.toLocaleLowerCase(language)).toContain(word);
            }
          }
        }
      }
    });
  }

  it('writes the Dhaka alert headline in each language', () => {
    const headlines = Object.fromEntries(WARNING_LANGUAGES.map((l) => [l, warningWords(DHAKA, l).headline]));
    expect(headlines).toEqual({
      en: 'Severe air pollution warning for Dhaka',
      fr: "Dhaka : alerte grave à la pollution de l'air",
      es: 'Alerta grave por contaminación del aire en Dhaka',
      ar: `تحذير شديد من تلوث الهواء في ${FSI}Dhaka${PDI}`,
      ru: 'Dhaka: предупреждение о загрязнении воздуха, опасность высокая',
      zh: 'Dhaka：空气污染预警（严重）',
    });
  });

  it('says in an Update headline that the warning was raised, lowered or extended', () => {
    const update = (change: WarningFacts['change'], severity: WarningFacts['severity']) =>
      warningWords({ ...DHAKA, msgType: 'Update', change, severity }, 'en').headline;
    expect(update('escalated', 'Extreme')).toBe('Air pollution warning for Dhaka raised to extreme');
    expect(update('deescalated', 'Moderate')).toBe('Air pollution warning for Dhaka lowered to moderate');
    expect(update('extended', 'Severe')).toBe('Severe air pollution warning for Dhaka extended');
    expect(warningWords({ ...DHAKA, msgType: 'Update', change: 'escalated' }, 'fr').headline).toContain(
      'relevée',
    );
    expect(warningWords({ ...DHAKA, msgType: 'Update', change: 'deescalated' }, 'ru').headline).toContain(
      'ослаблено',
    );
    expect(warningWords({ ...DHAKA, msgType: 'Update', change: 'extended' }, 'zh').headline).toContain(
      '延长',
    );
  });

  it('lifts the warning in a Cancel and asks for no further action', () => {
    const cancels = Object.fromEntries(
      WARNING_LANGUAGES.map((l) => {
        const w = warningWords({ ...DHAKA, msgType: 'Cancel' }, l);
        return [l, [w.headline, w.instruction]];
      }),
    );
    expect(cancels).toEqual({
      en: ['All clear: air pollution warning for Dhaka lifted', 'No further action is needed.'],
      fr: ["Dhaka : fin de l'alerte à la pollution de l'air", "Aucune autre mesure n'est nécessaire."],
      es: ['Fin de la alerta por contaminación del aire en Dhaka', 'No es necesario tomar más medidas.'],
      ar: [`إلغاء التحذير من تلوث الهواء في ${FSI}Dhaka${PDI}`, 'لا يلزم اتخاذ أي إجراء آخر.'],
      ru: ['Dhaka: предупреждение о загрязнении воздуха отменено', 'Дальнейших действий не требуется.'],
      zh: ['Dhaka：空气污染预警解除', '无需采取进一步行动。'],
    });
  });

  it('asks for more as severity rises: Severe adds to Minor, Extreme adds to Severe', () => {
    for (const language of WARNING_LANGUAGES) {
      for (const hazard of HAZARD_CODES) {
        const at = (severity: WarningFacts['severity']) =>
          warningWords({ ...DHAKA, hazard, severity }, language).instruction;
        expect(at('Moderate')).toBe(at('Minor'));
        expect(at('Severe').startsWith(at('Minor'))).toBe(true);
        expect(at('Severe').length).toBeGreaterThan(at('Minor').length);
        expect(at('Extreme').startsWith(at('Severe'))).toBe(true);
        expect(at('Extreme').length).toBeGreaterThan(at('Severe').length);
      }
    }
  });

  it('gives the protective actions the hazard calls for', () => {
    const en = (hazard: WarningFacts['hazard'], severity: WarningFacts['severity'] = 'Severe') =>
      warningWords({ ...DHAKA, hazard, severity }, 'en').instruction;
    expect(en('air_pollution')).toMatch(/outdoor exertion.*stay indoors.*windows/s);
    expect(en('water_pollution')).toMatch(/Do not drink untreated water.*Do not eat fish/s);
    expect(en('wildfire')).toMatch(/ready to leave.*authorities/s);
    expect(en('soil_erosion')).toMatch(/^Land managers/);
    expect(en('soil_carbon_loss', 'Extreme')).toMatch(/Authorities should act without delay\.$/);
    expect(en('chemical_spill', 'Extreme')).toMatch(/emergency services\.$/);
  });
});

describe('the description', () => {
  it('states the value with its unit, to 3 significant digits, and the level', () => {
    const descriptions = Object.fromEntries(
      WARNING_LANGUAGES.map((l) => [l, warningWords(DHAKA, l).description]),
    );
    expect(descriptions.en).toContain('PM2.5 reached 75.2 µg/m³ (level 3) in Dhaka');
    expect(descriptions.fr).toContain('PM2.5 à 75,2 µg/m³ (niveau 3)');
    expect(descriptions.es).toContain('75,2 µg/m³ (nivel 3)');
    expect(descriptions.ru).toContain('75,2 µg/m³ (уровень 3)');
    expect(descriptions.zh).toContain('PM2.5达到75.2 µg/m³（3级）');
    expect(descriptions.ar).toContain(`${FSI}PM2.5${PDI} ${FSI}75.2 µg/m³${PDI} (المستوى ${FSI}3${PDI})`);

    const big = { ...DHAKA, measurement: { label: 'PM10', value: 1234.5, unit: 'µg/m³', level: null } };
    expect(warningWords(big, 'en').description).toContain('PM10 reached 1,230 µg/m³ in Dhaka');
    const small = { ...DHAKA, measurement: { label: 'NO2', value: 0.000123456, unit: 'mg/m³', level: null } };
    expect(warningWords(small, 'en').description).toContain('0.000123 mg/m³');
    const negative = { ...DHAKA, measurement: { label: 'T', value: -4.56, unit: '°C', level: null } };
    expect(warningWords(negative, 'ar').description).toMatch(/\u2068\u200e?-4.56 °C\u2069/);
  });

  it('tells the local time in the area zone, with the zone name', () => {
    // 02:00 UTC is 08:00 in Dhaka (UTC+6, no daylight saving).
    const expected: Record<WarningLanguage, string> = {
      en: '08:00 Asia/Dhaka on 1 January 2024',
      fr: 'le 1 janvier 2024 à 08:00 Asia/Dhaka',
      es: 'el 1 de enero de 2024 a las 08:00 Asia/Dhaka',
      ar: `الساعة ${FSI}08:00${PDI} بتوقيت ${FSI}Asia/Dhaka${PDI} يوم ${FSI}1${PDI} يناير ${FSI}2024${PDI}`,
      ru: '08:00 Asia/Dhaka 1 января 2024\u00a0г.',
      zh: '2024年1月1日 08:00（Asia/Dhaka时间）',
    };
    for (const language of WARNING_LANGUAGES) {
      expect(warningWords(DHAKA, language).description).toContain(expected[language]);
    }
  });

  it('uses UTC when the zone is null or unknown, and never writes midnight as 24:00', () => {
    const midnight = {
      ...DHAKA,
      onsetMs: Date.UTC(2024, 5, 30, 0, 0),
      expiresMs: Date.UTC(2024, 6, 1, 0, 0),
    };
    expect(warningWords({ ...midnight, timeZone: null }, 'en').description).toContain(
      '00:00 UTC on 30 June 2024',
    );
    expect(warningWords({ ...midnight, timeZone: 'Mars/Olympus_Mons' }, 'en').description).toContain(
      '00:00 UTC on 30 June 2024',
    );
  });

  it('reads the hour with the right article in Spanish', () => {
    const one = { ...DHAKA, onsetMs: Date.UTC(2024, 0, 1, 1, 30), timeZone: null };
    expect(warningWords(one, 'es').description).toContain('a la 01:30 UTC');
  });

  it('states the forecast lead time in the grammar of each language', () => {
    const lead = (leadTimeS: number, language: WarningLanguage) =>
      warningWords({ ...DHAKA, leadTimeS }, language).description;
    expect(lead(3 * 3600, 'en')).toContain(
      'is expected to reach 75.2 µg/m³ (level 3) in Dhaka within 3 hours',
    );
    expect(lead(3600, 'en')).toContain('within 1 hour,');
    expect(lead(3 * 3600, 'fr')).toContain("d'ici 3 heures");
    expect(lead(3 * 3600, 'es')).toContain('en un plazo de 3 horas');
    expect(lead(3 * 3600, 'zh')).toContain('预计3小时内');
    expect(lead(3600, 'ru')).toContain('через 1 час,');
    expect(lead(3 * 3600, 'ru')).toContain('через 3 часа,');
    expect(lead(5 * 3600, 'ru')).toContain('через 5 часов,');
    expect(lead(21 * 60, 'ru')).toContain('через 21 минуту,');
    expect(lead(2 * 3600, 'ar')).toContain('خلال ساعتين،');
    expect(lead(3 * 3600, 'ar')).toContain(`خلال ${FSI}3${PDI} ساعات،`);
    expect(lead(11 * 86400, 'ar')).toContain(`خلال ${FSI}11${PDI} يومًا،`);
    expect(lead(45 * 60, 'en')).toContain('within 45 minutes');
    expect(lead(3 * 86400, 'en')).toContain('within 3 days');
  });

  it('counts the reports and detections when the warning comes from events', () => {
    const fires = { ...DHAKA, hazard: 'wildfire', measurement: null, eventCount: 14 } as const;
    expect(warningWords(fires, 'en').description).toContain(
      'there have been 14 reports and detections of wildfire',
    );
    expect(warningWords({ ...fires, eventCount: 1 }, 'en').description).toContain(
      'there has been 1 report or detection',
    );
    expect(warningWords(fires, 'ru').description).toContain('поступило 14 сообщений о природном пожаре');
    expect(warningWords({ ...fires, eventCount: 22 }, 'ru').description).toContain('поступило 22 сообщения');
    expect(warningWords(fires, 'ar').description).toContain(`: ${FSI}14${PDI}.`);
    expect(warningWords(fires, 'zh').description).toContain('共收到14条有关野火的报告和监测记录');
  });

  it('tells the people living in the area with digit grouping', () => {
    const expected: Record<WarningLanguage, string> = {
      en: 'An estimated 10,234,567 people live in the area.',
      fr: 'La zone compte environ 10\u202f234\u202f567 habitants.',
      es: 'En la zona viven unas 10.234.567 personas.',
      ar: `يبلغ عدد سكان المنطقة نحو ${FSI}10,234,567${PDI} نسمة.`,
      ru: 'В районе проживает 10\u00a0234\u00a0567 человек.',
      zh: '该地区约有10,234,567人居住。',
    };
    for (const language of WARNING_LANGUAGES) {
      expect(warningWords(DHAKA, language).description).toContain(expected[language]);
      expect(warningWords({ ...DHAKA, population: null }, language).description).not.toContain(
        expected[language],
      );
    }
    expect(warningWords({ ...DHAKA, population: 3 }, 'ru').description).toContain('проживает 3 человека.');
  });

  it('mentions corroboration only when a second sense confirmed it', () => {
    expect(warningWords({ ...DHAKA, corroborated: true }, 'en').description).toContain('independent source');
    expect(warningWords(DHAKA, 'en').description).not.toContain('independent source');
  });

  it('says until when the warning stands', () => {
    expect(warningWords(DHAKA, 'en').description).toMatch(
      /The warning is in force until 08:00 Asia\/Dhaka on 2 January 2024\.$/,
    );
    // The Russian date ends in «г.», which is also the full stop.
    expect(warningWords(DHAKA, 'ru').description).toMatch(/до 08:00 Asia\/Dhaka 2 января 2024\u00a0г\.$/);
  });

  it('refuses a time that is not a time', () => {
    expect(() => warningWords({ ...DHAKA, onsetMs: Number.NaN }, 'en')).toThrow(RangeError);
    expect(() => warningWords({ ...DHAKA, expiresMs: 9e15 }, 'en')).toThrow(RangeError);
  });
});

describe('outside text', () => {
  it('shortens a long place name so the headline fits in 140 characters', () => {
    const long =
      'Greater Metropolitan Region of the Northern Riverine Delta and its Coastal Wetlands '.repeat(3);
    for (const language of WARNING_LANGUAGES) {
      for (const variant of MSG_VARIANTS) {
        const w = warningWords({ ...DHAKA, ...variant, areaName: long }, language);
        expectInvariants(w, language);
        expect(w.headline).toContain('Greater Metropolitan');
        expect(w.headline).toContain('…');
        expect(w.description).toContain(long.trim());
      }
    }
  });

  it('never splits a character outside the Basic Multilingual Plane when shortening', () => {
    const w = warningWords({ ...DHAKA, areaName: '𠀀'.repeat(200) }, 'zh');
    expect(w.headline.length).toBeLessThanOrEqual(MAX_HEADLINE_LENGTH);
    expect(w.headline).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('drops control and bidi characters from area names', () => {
    const sneaky = { ...DHAKA, areaName: 'Dha\u202eka\n\u2066North\u2069' };
    expect(warningWords(sneaky, 'en').headline).toBe('Severe air pollution warning for Dha ka North');
    expectInvariants(warningWords(sneaky, 'ar'), 'ar');
  });

  it('isolates an Arabic place name too, and names an unnamed area', () => {
    expect(warningWords({ ...DHAKA, areaName: 'القاهرة' }, 'ar').headline).toContain(`${FSI}القاهرة${PDI}`);
    expect(warningWords({ ...DHAKA, areaName: '  ' }, 'en').headline).toBe(
      'Severe air pollution warning for (unnamed area)',
    );
  });
});

describe('names', () => {
  it('knows the six UN languages and nothing else', () => {
    expect(WARNING_LANGUAGES.every(isWarningLanguage)).toBe(true);
    expect(isWarningLanguage('de')).toBe(false);
    expect(isWarningLanguage('en-US')).toBe(false);
  });

  it('gives every hazard a distinct name in every language', () => {
    for (const language of WARNING_LANGUAGES) {
      const names = HAZARD_CODES.map((h) => hazardName(h, language));
      expect(new Set(names).size).toBe(HAZARD_CODES.length);
      for (const name of names) expect(name).not.toMatch(BIDI_CONTROLS);
    }
  });

  it('translates severity', () => {
    expect(severityName('Severe', 'fr')).toBe('Grave');
    expect(severityName('Severe', 'es')).toBe('Grave');
    expect(severityName('Severe', 'ar')).toBe('شديد');
    expect(severityName('Extreme', 'zh')).toBe('特别严重');
    for (const language of WARNING_LANGUAGES) {
      expect(new Set(CAP_SEVERITIES.map((s) => severityName(s, language))).size).toBe(CAP_SEVERITIES.length);
    }
  });
});

const TIME_ZONES = [
  'Asia/Dhaka',
  'Africa/Nairobi',
  'America/Sao_Paulo',
  'Europe/Paris',
  'Pacific/Chatham',
  'UTC',
];
const PLACE_CHARS = [..."abcXYZ 0129-.,()'’éçñøßàДакаالقاهرة北京𠀀"];

const factsArbitrary: fc.Arbitrary<WarningFacts> = fc.record({
  hazard: fc.constantFrom(...HAZARD_CODES),
  msgType: fc.constantFrom('Alert', 'Update', 'Cancel'),
  severity: fc.constantFrom(...CAP_SEVERITIES),
  urgency: fc.constantFrom(...CAP_URGENCIES),
  certainty: fc.constantFrom(...CAP_CERTAINTIES),
  areaName: fc.oneof(
    fc.constantFrom('Dhaka', 'Nairobi National Park', 'القاهرة', 'Москва', '北京市', ''),
    fc.array(fc.constantFrom(...PLACE_CHARS), { maxLength: 300 }).map((chars) => chars.join('')),
  ),
  measurement: fc.option(
    fc.record({
      label: fc.constantFrom('PM2.5', 'NO2', 'O3', 'DO', 'pH', ''),
      value: fc.oneof(fc.double({ noNaN: false }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
      unit: fc.constantFrom('µg/m³', 'mg/L', '°C', 'dB(A)', '%', ''),
      level: fc.option(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double()), { nil: null }),
    }),
    { nil: null },
  ),
  eventCount: fc.option(fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double()), { nil: null }),
  onsetMs: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
  expiresMs: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
  timeZone: fc.option(fc.constantFrom(...TIME_ZONES, 'Not/AZone', ''), { nil: null }),
  leadTimeS: fc.option(fc.oneof(fc.integer({ min: -10, max: 90 * 86400 }), fc.double()), { nil: null }),
  population: fc.option(fc.oneof(fc.integer({ min: -1, max: 2_000_000_000 }), fc.double()), { nil: null }),
  corroborated: fc.boolean(),
  change: fc.constantFrom('escalated', 'deescalated', 'extended', null),
});

describe('warningWords over random facts', () => {
  it('never throws and keeps every invariant', () => {
    fc.assert(
      fc.property(factsArbitrary, fc.constantFrom(...WARNING_LANGUAGES), (facts, language) => {
        expectInvariants(warningWords(facts, language), language);
      }),
      { numRuns: 2000 },
    );
  });
});
