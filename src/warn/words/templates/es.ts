/** @module Spanish warning words (severity adjectives agree with «alerta», feminine). */
import type { CapSeverity } from '../../cap/cap-alert.ts';
import type { HazardCode } from '../../hazards.ts';
import {
  type Count,
  type HazardInstruction,
  type LanguagePack,
  type LeadTime,
  lowerFirst,
  type Moment,
  plural,
  type Reading,
} from './language-pack.ts';

const LOCALE = 'es';

const HAZARD_NAMES: Record<HazardCode, string> = {
  air_pollution: 'Contaminación del aire',
  water_pollution: 'Contaminación del agua',
  chemical_spill: 'Derrame químico',
  waste_fire: 'Incendio de residuos',
  wildfire: 'Incendio forestal',
  forest_loss: 'Pérdida de bosque',
  protected_habitat_loss: 'Pérdida de hábitat protegido',
  species_decline: 'Declive de especies',
  invasive_species: 'Especies invasoras',
  soil_erosion: 'Erosión del suelo',
  soil_carbon_loss: 'Pérdida de carbono del suelo',
  ecological_drought: 'Sequía ecológica',
  algal_bloom: 'Floración de algas',
  coral_bleaching: 'Blanqueamiento de corales',
  noise_pollution: 'Contaminación acústica',
};

const SEVERITY_NAMES: Record<CapSeverity, string> = {
  Extreme: 'Extrema',
  Severe: 'Grave',
  Moderate: 'Moderada',
  Minor: 'Menor',
  Unknown: 'Desconocida',
};

const INSTRUCTIONS: Record<HazardCode, HazardInstruction> = {
  air_pollution: {
    advice:
      'Limite la actividad física intensa al aire libre. Los niños, las personas mayores y quienes padecen enfermedades cardíacas o respiratorias deben extremar las precauciones.',
    severe:
      'Evite el esfuerzo físico al aire libre. Las personas sensibles deben permanecer en interiores. Mantenga puertas y ventanas cerradas.',
  },
  water_pollution: {
    advice:
      'No beba agua sin tratar de ríos, lagos o pozos de la zona. No consuma pescado capturado allí. Evite el contacto con el agua.',
    severe:
      'Use solo agua de una fuente segura para beber y cocinar. Mantenga a los niños y a los animales lejos del agua.',
  },
  chemical_spill: {
    advice:
      'Manténgase alejado del derrame. No toque la sustancia ni el agua o el suelo que puedan estar contaminados.',
    severe:
      'Si se encuentra cerca, entre en un edificio, cierre puertas y ventanas y apague la ventilación. Siga las indicaciones de los servicios de emergencia.',
  },
  waste_fire: {
    advice: 'Manténgase alejado del incendio y evite el humo. No queme residuos.',
    severe:
      'Permanezca en interiores con puertas y ventanas cerradas. Las personas con problemas respiratorios deben estar preparadas para abandonar la zona.',
  },
  wildfire: {
    advice:
      'No encienda fuego al aire libre. Manténgase informado y esté preparado para salir si el fuego se acerca.',
    severe:
      'Prepárese para salir ahora: tenga a mano documentos, agua y medicamentos. Salga de inmediato si las autoridades lo indican.',
  },
  forest_loss: {
    advice:
      'Los gestores forestales y las autoridades deben verificar el desmonte notificado sobre el terreno o con imágenes de satélite recientes.',
    severe:
      'Detenga el desmonte no autorizado y asegure el lugar. Denuncie la tala ilegal ante la autoridad forestal.',
  },
  protected_habitat_loss: {
    advice: 'Los gestores del área protegida deben inspeccionar el lugar y registrar cualquier invasión.',
    severe: 'Detenga la invasión de inmediato e informe a la autoridad responsable del área protegida.',
  },
  species_decline: {
    advice: 'Los gestores de conservación deben confirmar el declive con nuevos muestreos.',
    severe:
      'Identifique y reduzca las presiones sobre la especie, como la caza, las perturbaciones o la contaminación. Valore medidas de protección de emergencia.',
  },
  invasive_species: {
    advice:
      'No traslade plantas, animales, tierra ni agua fuera de la zona. Notifique nuevos avistamientos a la autoridad ambiental.',
    severe:
      'Los gestores de tierras y aguas deben iniciar cuanto antes medidas de control para frenar la propagación.',
  },
  soil_erosion: {
    advice: 'Los productores deben mantener el suelo cubierto y evitar arar o pastorear en laderas desnudas.',
    severe:
      'Estabilice las laderas y cárcavas en erosión con vegetación o barreras. Mantenga a personas y ganado lejos de terrenos inestables.',
  },
  soil_carbon_loss: {
    advice:
      'Los productores deben mantener el suelo cubierto, aportar materia orgánica y reducir la labranza.',
    severe:
      'Las autoridades deben revisar el uso del suelo en la zona y apoyar medidas para recuperar el carbono del suelo.',
  },
  ecological_drought: {
    advice:
      'Use el agua con moderación. Los gestores del agua deben vigilar de cerca ríos, humedales y aguas subterráneas.',
    severe:
      'Las autoridades deben preparar restricciones al uso del agua y proteger el recurso para la población, el ganado y los ecosistemas.',
  },
  algal_bloom: {
    advice:
      'No se bañe en esta agua ni la beba. Mantenga a niños, mascotas y ganado lejos del agua de color anómalo o con espuma. No consuma pescado ni marisco de la zona.',
    severe:
      'Use solo agua de una fuente segura. Los servicios de agua deben analizar sus captaciones en busca de toxinas de algas.',
  },
  coral_bleaching: {
    advice:
      'Los gestores del arrecife deben intensificar la vigilancia y registrar el blanqueamiento. Buceadores y embarcaciones no deben tocar los corales ni fondear sobre el arrecife.',
    severe:
      'Las autoridades deben reducir otras presiones sobre el arrecife, como la pesca, el turismo y los vertidos contaminantes.',
  },
  noise_pollution: {
    advice: 'Limite el tiempo cerca de la fuente de ruido. Use protección auditiva si debe permanecer allí.',
    severe:
      'Mantenga las ventanas cerradas y aléjese de la zona si es posible. Las autoridades deben comprobar la fuente y hacer cumplir los límites de ruido.',
  },
};

const hazardText = (hazard: HazardCode): string => lowerFirst(HAZARD_NAMES[hazard], LOCALE);
const severityText = (severity: CapSeverity): string => lowerFirst(SEVERITY_NAMES[severity], LOCALE);
/** Spanish reads the hour with an article that agrees: «la 01:00», «las 08:00». */
const clock = (m: Moment): string => `${m.hour === 1 ? 'la' : 'las'} ${m.clock} ${m.zone}`;
const at = (m: Moment): string => `el ${m.date} a ${clock(m)}`;
const around = (m: Moment): string => `hacia ${clock(m)} del ${m.date}`;
const level = (r: Reading): string => (r.level === null ? '' : ` (nivel ${r.level})`);

const UNITS: Record<LeadTime['unit'], readonly [string, string]> = {
  minute: ['minuto', 'minutos'],
  hour: ['hora', 'horas'],
  day: ['día', 'días'],
};

const leadText = (lead: LeadTime): string => {
  const [one, many] = UNITS[lead.unit];
  return plural(LOCALE, lead, { one: (n) => `${n} ${one}`, other: (n) => `${n} ${many}` });
};

const received = (count: Count): string =>
  plural(LOCALE, count, {
    one: (n) => `se ha recibido ${n} notificación o detección`,
    other: (n) => `se han recibido ${n} notificaciones y detecciones`,
  });

/** «alerta grave por contaminación del aire»; without a known severity the adjective is left out. */
const alertFor = (hazard: HazardCode, severity: CapSeverity): string =>
  severity === 'Unknown'
    ? `alerta por ${hazardText(hazard)}`
    : `alerta ${severityText(severity)} por ${hazardText(hazard)}`;

export const ES: LanguagePack = {
  locale: LOCALE,
  rightToLeft: false,
  sentenceGap: ' ',
  unnamedArea: '(zona sin nombre)',
  hazardNames: HAZARD_NAMES,
  severityNames: SEVERITY_NAMES,
  headlines: {
    alert: (hazard, severity, place) =>
      severity === 'Unknown'
        ? `Alerta por ${hazardText(hazard)} en ${place} (gravedad desconocida)`
        : `Alerta ${severityText(severity)} por ${hazardText(hazard)} en ${place}`,
    update: (hazard, severity, place, change) => {
      const to = severity === 'Unknown' ? '' : ` a ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `Se eleva${to} la ${alertFor(hazard, 'Unknown')} en ${place}`;
        case 'deescalated':
          return `Se rebaja${to} la ${alertFor(hazard, 'Unknown')} en ${place}`;
        case 'extended':
          return `Se prolonga la ${alertFor(hazard, severity)} en ${place}`;
        case null:
          return `Actualizada la ${alertFor(hazard, severity)} en ${place}`;
      }
    },
    cancel: (hazard, place) => `Fin de la ${alertFor(hazard, 'Unknown')} en ${place}`,
  },
  sentences: {
    updated: (change, severity) => {
      const to = severity === 'Unknown' ? '' : ` a ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `La alerta se eleva${to}.`;
        case 'deescalated':
          return `La alerta se rebaja${to}.`;
        case 'extended':
          return 'La alerta se prolonga.';
        case null:
          return 'Esta actualización sustituye a la alerta anterior.';
      }
    },
    measured: (r, place, m) =>
      `El valor de ${r.label} alcanzó ${r.quantity}${level(r)} en ${place} ${at(m)}.`,
    forecast: (r, place, lead, m) =>
      `Se prevé que el valor de ${r.label} alcance ${r.quantity}${level(r)} en ${place} en un plazo de ${leadText(lead)}, ${around(m)}.`,
    counted: (hazard, count, place, m) =>
      `Desde ${at(m)}, ${received(count)} de ${hazardText(hazard)} en ${place}.`,
    expected: (hazard, place, lead, m) =>
      `Se prevé superar el umbral de alerta por ${hazardText(hazard)} en ${place} en un plazo de ${leadText(lead)}, ${around(m)}.`,
    reported: (hazard, place, m) =>
      `${HAZARD_NAMES[hazard]} en ${place}: situación detectada desde ${at(m)}.`,
    alsoCounted: (count) => {
      const text = received(count);
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
    },
    population: (people) =>
      plural(LOCALE, people, {
        one: (n) => `En la zona vive ${n} persona.`,
        other: (n) => `En la zona viven unas ${n} personas.`,
      }),
    corroborated: 'Una segunda fuente independiente lo confirma.',
    until: (m) => `La alerta está vigente hasta ${at(m)}.`,
    lifted: (hazard, place) => `Se levanta la ${alertFor(hazard, 'Unknown')} en ${place}.`,
    latest: (r) => `Última medición de ${r.label}: ${r.quantity}${level(r)}.`,
  },
  instructions: INSTRUCTIONS,
  extreme: {
    sudden: 'Siga las indicaciones de las autoridades locales y de los servicios de emergencia.',
    slow: 'Las autoridades deben actuar sin demora.',
  },
  noFurtherAction: 'No es necesario tomar más medidas.',
};
