/** @module French warning words (severity adjectives agree with « alerte », feminine). */
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

const LOCALE = 'fr';

interface FrenchHazard {
  readonly name: string;
  /** The complement of « alerte », with its article: « alerte à la pollution de l'air ». */
  readonly alertTo: string;
}

const HAZARDS: Record<HazardCode, FrenchHazard> = {
  air_pollution: { name: "Pollution de l'air", alertTo: "à la pollution de l'air" },
  water_pollution: { name: "Pollution de l'eau", alertTo: "à la pollution de l'eau" },
  chemical_spill: { name: 'Déversement chimique', alertTo: 'au déversement chimique' },
  waste_fire: { name: 'Incendie de déchets', alertTo: "à l'incendie de déchets" },
  wildfire: { name: 'Feu de forêt', alertTo: 'aux feux de forêt' },
  forest_loss: { name: 'Perte de couvert forestier', alertTo: 'à la perte de couvert forestier' },
  protected_habitat_loss: {
    name: "Dégradation d'un habitat protégé",
    alertTo: "à la dégradation d'un habitat protégé",
  },
  species_decline: { name: "Déclin d'espèces", alertTo: "au déclin d'espèces" },
  invasive_species: { name: 'Espèces envahissantes', alertTo: 'aux espèces envahissantes' },
  soil_erosion: { name: 'Érosion des sols', alertTo: "à l'érosion des sols" },
  soil_carbon_loss: { name: 'Perte de carbone des sols', alertTo: 'à la perte de carbone des sols' },
  ecological_drought: { name: 'Sécheresse écologique', alertTo: 'à la sécheresse écologique' },
  algal_bloom: { name: "Prolifération d'algues", alertTo: "à la prolifération d'algues" },
  coral_bleaching: { name: 'Blanchissement des coraux', alertTo: 'au blanchissement des coraux' },
  noise_pollution: { name: 'Pollution sonore', alertTo: 'à la pollution sonore' },
};

const HAZARD_NAMES = Object.fromEntries(Object.entries(HAZARDS).map(([code, h]) => [code, h.name])) as Record<
  HazardCode,
  string
>;

const SEVERITY_NAMES: Record<CapSeverity, string> = {
  Extreme: 'Extrême',
  Severe: 'Grave',
  Moderate: 'Modérée',
  Minor: 'Mineure',
  Unknown: 'Inconnue',
};

const INSTRUCTIONS: Record<HazardCode, HazardInstruction> = {
  air_pollution: {
    advice:
      'Limitez les activités physiques intenses en plein air. Les enfants, les personnes âgées et les personnes souffrant de maladies cardiaques ou respiratoires doivent redoubler de prudence.',
    severe:
      "Évitez tout effort physique en plein air. Les personnes vulnérables doivent rester à l'intérieur. Gardez portes et fenêtres fermées.",
  },
  water_pollution: {
    advice:
      "Ne buvez pas l'eau non traitée des rivières, lacs ou puits de la zone. Ne consommez pas le poisson qui y est pêché. Évitez tout contact avec l'eau.",
    severe:
      "Pour boire et cuisiner, utilisez uniquement de l'eau d'une source sûre. Tenez les enfants et les animaux à l'écart de l'eau.",
  },
  chemical_spill: {
    advice:
      "Tenez-vous à l'écart du déversement. Ne touchez pas la substance, ni l'eau ou le sol qui pourraient être contaminés.",
    severe:
      "Si vous êtes à proximité, mettez-vous à l'abri dans un bâtiment, fermez portes et fenêtres et coupez la ventilation. Suivez les consignes des services de secours.",
  },
  waste_fire: {
    advice: "Tenez-vous à l'écart de l'incendie et évitez la fumée. Ne brûlez pas de déchets.",
    severe:
      "Restez à l'intérieur, portes et fenêtres fermées. Les personnes ayant des problèmes respiratoires doivent se tenir prêtes à quitter la zone.",
  },
  wildfire: {
    advice:
      "N'allumez pas de feu en plein air. Tenez-vous informé et soyez prêt à partir si le feu se rapproche.",
    severe:
      'Préparez-vous à partir dès maintenant : gardez papiers, eau et médicaments à portée de main. Partez immédiatement si les autorités le demandent.',
  },
  forest_loss: {
    advice:
      'Les gestionnaires forestiers et les autorités doivent vérifier le défrichement signalé sur le terrain ou sur des images satellite récentes.',
    severe:
      "Faites cesser tout défrichement non autorisé et sécurisez le site. Signalez toute coupe illégale à l'administration forestière.",
  },
  protected_habitat_loss: {
    advice: "Les gestionnaires de l'aire protégée doivent inspecter le site et consigner tout empiètement.",
    severe: "Faites cesser immédiatement l'empiètement et informez l'autorité chargée de l'aire protégée.",
  },
  species_decline: {
    advice: 'Les gestionnaires de la conservation doivent confirmer le déclin par de nouveaux inventaires.',
    severe:
      "Identifiez et réduisez les pressions sur l'espèce, comme la chasse, le dérangement ou la pollution. Envisagez des mesures de protection d'urgence.",
  },
  invasive_species: {
    advice:
      "Ne déplacez pas de plantes, d'animaux, de terre ou d'eau hors de la zone. Signalez toute nouvelle observation à l'autorité environnementale.",
    severe:
      'Les gestionnaires des terres et des eaux doivent engager rapidement des mesures de lutte pour stopper la propagation.',
  },
  soil_erosion: {
    advice:
      'Les exploitants doivent maintenir le sol couvert et éviter de labourer ou de faire pâturer les pentes dénudées.',
    severe:
      "Stabilisez les pentes et les ravines en cours d'érosion par de la végétation ou des ouvrages. Tenez les personnes et le bétail à l'écart des terrains instables.",
  },
  soil_carbon_loss: {
    advice:
      'Les exploitants doivent maintenir le sol couvert, apporter de la matière organique et réduire le travail du sol.',
    severe:
      "Les autorités doivent examiner l'usage des terres dans la zone et soutenir des mesures pour restaurer le carbone du sol.",
  },
  ecological_drought: {
    advice:
      "Économisez l'eau. Les gestionnaires de l'eau doivent surveiller de près les cours d'eau, les zones humides et les nappes.",
    severe:
      "Les autorités doivent préparer des restrictions d'usage de l'eau et préserver la ressource pour la population, le bétail et les écosystèmes.",
  },
  algal_bloom: {
    advice:
      "Ne vous baignez pas et ne buvez pas cette eau. Tenez les enfants, les animaux domestiques et le bétail à l'écart de l'eau colorée ou des écumes. Ne consommez pas de poissons ni de coquillages de la zone.",
    severe:
      "Utilisez uniquement de l'eau d'une source sûre. Les services d'eau doivent rechercher les toxines algales à leurs points de captage.",
  },
  coral_bleaching: {
    advice:
      'Les gestionnaires du récif doivent renforcer la surveillance et consigner le blanchissement. Plongeurs et plaisanciers ne doivent ni toucher les coraux ni mouiller sur le récif.',
    severe:
      'Les autorités doivent réduire les autres pressions sur le récif, comme la pêche, le tourisme et les rejets polluants.',
  },
  noise_pollution: {
    advice:
      'Limitez le temps passé près de la source de bruit. Portez des protections auditives si vous devez rester.',
    severe:
      'Gardez les fenêtres fermées et éloignez-vous de la zone si possible. Les autorités doivent contrôler la source et faire respecter les limites de bruit.',
  },
};

const severityText = (severity: CapSeverity): string => lowerFirst(SEVERITY_NAMES[severity], LOCALE);
const at = (m: Moment): string => `le ${m.date} à ${m.clock} ${m.zone}`;
const level = (r: Reading): string => (r.level === null ? '' : ` (niveau ${r.level})`);

const UNITS: Record<LeadTime['unit'], readonly [string, string]> = {
  minute: ['minute', 'minutes'],
  hour: ['heure', 'heures'],
  day: ['jour', 'jours'],
};

const leadText = (lead: LeadTime): string => {
  const [one, many] = UNITS[lead.unit];
  return plural(LOCALE, lead, { one: (n) => `${n} ${one}`, other: (n) => `${n} ${many}` });
};

const reportsText = (count: Count): string =>
  plural(LOCALE, count, {
    one: (n) => `${n} signalement ou détection`,
    other: (n) => `${n} signalements et détections`,
  });

/** « alerte grave à la pollution de l'air »; without a known severity the adjective is left out. */
const alertOf = (hazard: HazardCode, severity: CapSeverity): string =>
  severity === 'Unknown'
    ? `alerte ${HAZARDS[hazard].alertTo}`
    : `alerte ${severityText(severity)} ${HAZARDS[hazard].alertTo}`;

export const FR: LanguagePack = {
  locale: LOCALE,
  rightToLeft: false,
  sentenceGap: ' ',
  unnamedArea: '(zone sans nom)',
  hazardNames: HAZARD_NAMES,
  severityNames: SEVERITY_NAMES,
  headlines: {
    alert: (hazard, severity, place) =>
      severity === 'Unknown'
        ? `${place} : ${alertOf(hazard, severity)} (gravité inconnue)`
        : `${place} : ${alertOf(hazard, severity)}`,
    update: (hazard, severity, place, change) => {
      const now = severity === 'Unknown' ? ' (gravité inconnue)' : `, désormais ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `${place} : ${alertOf(hazard, 'Unknown')} relevée${now}`;
        case 'deescalated':
          return `${place} : ${alertOf(hazard, 'Unknown')} abaissée${now}`;
        case 'extended':
          return `${place} : ${alertOf(hazard, severity)} prolongée`;
        case null:
          return `${place} : ${alertOf(hazard, severity)} mise à jour`;
      }
    },
    cancel: (hazard, place) => `${place} : fin de l'${alertOf(hazard, 'Unknown')}`,
  },
  sentences: {
    updated: (change, severity) => {
      const now = severity === 'Unknown' ? '' : ` et devient ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `L'alerte est relevée${now}.`;
        case 'deescalated':
          return `L'alerte est abaissée${now}.`;
        case 'extended':
          return "L'alerte est prolongée.";
        case null:
          return "Cette mise à jour remplace l'alerte précédente.";
      }
    },
    measured: (r, place, m) =>
      `Mesure relevée sur ${place} ${at(m)} : ${r.label} à ${r.quantity}${level(r)}.`,
    forecast: (r, place, lead, m) =>
      `Prévision pour ${place} : ${r.label} à ${r.quantity}${level(r)} d'ici ${leadText(lead)}, vers ${at(m)}.`,
    counted: (hazard, count, place, m) =>
      `${HAZARD_NAMES[hazard]} sur ${place} : ${reportsText(count)} depuis ${at(m)}.`,
    expected: (hazard, place, lead, m) =>
      `${HAZARD_NAMES[hazard]} sur ${place} : le seuil d'alerte devrait être franchi d'ici ${leadText(lead)}, vers ${at(m)}.`,
    reported: (hazard, place, m) =>
      `${HAZARD_NAMES[hazard]} sur ${place} : situation constatée depuis ${at(m)}.`,
    alsoCounted: (count) =>
      plural(LOCALE, count, {
        one: (n) => `${n} signalement ou détection a été reçu.`,
        other: (n) => `${n} signalements et détections ont été reçus.`,
      }),
    population: (people) =>
      plural(LOCALE, people, {
        one: (n) => `La zone compte environ ${n} habitant.`,
        other: (n) => `La zone compte environ ${n} habitants.`,
      }),
    corroborated: 'Une seconde source indépendante le confirme.',
    until: (m) => `L'alerte est en vigueur jusqu'au ${m.date} à ${m.clock} ${m.zone}.`,
    lifted: (hazard, place) => `L'${alertOf(hazard, 'Unknown')} sur ${place} est levée.`,
    latest: (r) => `Dernière mesure : ${r.label} à ${r.quantity}${level(r)}.`,
  },
  instructions: INSTRUCTIONS,
  extreme: {
    sudden: 'Suivez les consignes des autorités locales et des services de secours.',
    slow: 'Les autorités doivent agir sans délai.',
  },
  noFurtherAction: "Aucune autre mesure n'est nécessaire.",
};
