/** @module English warning words. */
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

const LOCALE = 'en-GB';

const HAZARD_NAMES: Record<HazardCode, string> = {
  air_pollution: 'Air pollution',
  water_pollution: 'Water pollution',
  chemical_spill: 'Chemical spill',
  waste_fire: 'Waste fire',
  wildfire: 'Wildfire',
  forest_loss: 'Forest loss',
  protected_habitat_loss: 'Protected habitat loss',
  species_decline: 'Species decline',
  invasive_species: 'Invasive species',
  soil_erosion: 'Soil erosion',
  soil_carbon_loss: 'Soil carbon loss',
  ecological_drought: 'Ecological drought',
  algal_bloom: 'Algal bloom',
  coral_bleaching: 'Coral bleaching',
  noise_pollution: 'Noise pollution',
};

const SEVERITY_NAMES: Record<CapSeverity, string> = {
  Extreme: 'Extreme',
  Severe: 'Severe',
  Moderate: 'Moderate',
  Minor: 'Minor',
  Unknown: 'Unknown',
};

const INSTRUCTIONS: Record<HazardCode, HazardInstruction> = {
  air_pollution: {
    advice:
      'Limit strenuous activity outdoors. Children, older people and people with heart or lung disease should take extra care.',
    severe: 'Avoid outdoor exertion. Sensitive groups should stay indoors. Keep windows and doors closed.',
  },
  water_pollution: {
    advice:
      'Do not drink untreated water from rivers, lakes or wells in the area. Do not eat fish caught there. Avoid contact with the water.',
    severe:
      'Use only water from a safe supply for drinking and cooking. Keep children and animals away from the water.',
  },
  chemical_spill: {
    advice:
      'Keep away from the spill. Do not touch the substance, or water and soil that may be contaminated.',
    severe:
      'If you are nearby, go indoors, close windows and doors and switch off ventilation. Follow instructions from the emergency services.',
  },
  waste_fire: {
    advice: 'Keep away from the fire and avoid the smoke. Do not burn waste.',
    severe:
      'Stay indoors with windows and doors closed. People with breathing problems should be ready to leave the area.',
  },
  wildfire: {
    advice: 'Do not light fires outdoors. Stay informed and be ready to leave if the fire comes closer.',
    severe:
      'Prepare to leave now: keep documents, water and medicines at hand. Leave at once if the authorities tell you to.',
  },
  forest_loss: {
    advice:
      'Forest managers and authorities should check the reported clearing on the ground or on recent satellite images.',
    severe: 'Stop unauthorised clearing and secure the site. Report illegal logging to the forest authority.',
  },
  protected_habitat_loss: {
    advice: 'Protected area managers should inspect the site and record any encroachment.',
    severe: 'Stop the encroachment at once and inform the authority responsible for the protected area.',
  },
  species_decline: {
    advice: 'Conservation managers should confirm the decline with further surveys.',
    severe:
      'Identify and reduce the pressures on the species, such as hunting, disturbance or pollution. Consider emergency protection measures.',
  },
  invasive_species: {
    advice:
      'Do not move plants, animals, soil or water out of the area. Report new sightings to the environment authority.',
    severe: 'Land and water managers should start control measures promptly to stop the spread.',
  },
  soil_erosion: {
    advice: 'Land managers should keep the soil covered and avoid ploughing or grazing on bare slopes.',
    severe:
      'Stabilise eroding slopes and gullies with vegetation or barriers. Keep people and livestock away from unstable ground.',
  },
  soil_carbon_loss: {
    advice: 'Land managers should keep the soil covered, add organic matter and reduce tillage.',
    severe: 'Authorities should review land use in the area and support measures to restore soil carbon.',
  },
  ecological_drought: {
    advice: 'Use water sparingly. Water managers should closely monitor rivers, wetlands and groundwater.',
    severe:
      'Authorities should prepare water-use restrictions and protect water for people, livestock and ecosystems.',
  },
  algal_bloom: {
    advice:
      'Do not swim in or drink the water. Keep children, pets and livestock away from discoloured water or scum. Do not eat fish or shellfish from the area.',
    severe: 'Use only water from a safe supply. Water utilities should test their intakes for algal toxins.',
  },
  coral_bleaching: {
    advice:
      'Reef managers should step up monitoring and record bleaching. Divers and boat users should not touch corals or anchor on the reef.',
    severe:
      'Authorities should reduce other pressures on the reef, such as fishing, tourism and polluted runoff.',
  },
  noise_pollution: {
    advice: 'Limit time near the source of the noise. Use hearing protection if you must stay.',
    severe:
      'Keep windows closed and stay away from the area if you can. Authorities should check the source and enforce noise limits.',
  },
};

const hazardText = (hazard: HazardCode): string => lowerFirst(HAZARD_NAMES[hazard], LOCALE);
const severityText = (severity: CapSeverity): string => lowerFirst(SEVERITY_NAMES[severity], LOCALE);
const at = (m: Moment): string => `${m.clock} ${m.zone} on ${m.date}`;
const level = (r: Reading): string => (r.level === null ? '' : ` (level ${r.level})`);

const leadText = (lead: LeadTime): string =>
  plural(LOCALE, lead, {
    one: (n) => `${n} ${lead.unit}`,
    other: (n) => `${n} ${lead.unit}s`,
  });

const reportsText = (count: Count): string =>
  plural(LOCALE, count, {
    one: (n) => `${n} report or detection`,
    other: (n) => `${n} reports and detections`,
  });

/** "Severe air pollution warning for Dhaka"; without a known severity the name stands alone. */
const warningFor = (hazard: HazardCode, severity: CapSeverity, place: string): string =>
  severity === 'Unknown'
    ? `${HAZARD_NAMES[hazard]} warning for ${place}`
    : `${SEVERITY_NAMES[severity]} ${hazardText(hazard)} warning for ${place}`;

export const EN: LanguagePack = {
  locale: LOCALE,
  rightToLeft: false,
  sentenceGap: ' ',
  unnamedArea: '(unnamed area)',
  hazardNames: HAZARD_NAMES,
  severityNames: SEVERITY_NAMES,
  headlines: {
    alert: (hazard, severity, place) =>
      severity === 'Unknown'
        ? `${warningFor(hazard, severity, place)}, severity unknown`
        : warningFor(hazard, severity, place),
    update: (hazard, severity, place, change) => {
      const unchanged = warningFor(hazard, severity, place);
      const plain = warningFor(hazard, 'Unknown', place);
      const to = severity === 'Unknown' ? '' : ` to ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `${plain} raised${to}`;
        case 'deescalated':
          return `${plain} lowered${to}`;
        case 'extended':
          return `${unchanged} extended`;
        case null:
          return `${unchanged} updated`;
      }
    },
    cancel: (hazard, place) => `All clear: ${hazardText(hazard)} warning for ${place} lifted`,
  },
  sentences: {
    updated: (change, severity) => {
      const to = severity === 'Unknown' ? '' : ` to ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `The warning has been raised${to}.`;
        case 'deescalated':
          return `The warning has been lowered${to}.`;
        case 'extended':
          return 'The warning has been extended.';
        case null:
          return 'This update replaces the previous warning.';
      }
    },
    measured: (r, place, m) => `${r.label} reached ${r.quantity}${level(r)} in ${place} at ${at(m)}.`,
    forecast: (r, place, lead, m) =>
      `${r.label} is expected to reach ${r.quantity}${level(r)} in ${place} within ${leadText(lead)}, around ${at(m)}.`,
    counted: (hazard, count, place, m) =>
      `Since ${at(m)}, there ${count.n === 1 ? 'has' : 'have'} been ${reportsText(count)} of ${hazardText(hazard)} in ${place}.`,
    expected: (hazard, place, lead, m) =>
      `${HAZARD_NAMES[hazard]} in ${place}: the warning level is expected to be crossed within ${leadText(lead)}, around ${at(m)}.`,
    reported: (hazard, place, m) => `${HAZARD_NAMES[hazard]} has been reported in ${place} since ${at(m)}.`,
    alsoCounted: (count) => `There ${count.n === 1 ? 'has' : 'have'} been ${reportsText(count)}.`,
    population: (people) =>
      plural(LOCALE, people, {
        one: (n) => `An estimated ${n} person lives in the area.`,
        other: (n) => `An estimated ${n} people live in the area.`,
      }),
    corroborated: 'A second, independent source confirms it.',
    until: (m) => `The warning is in force until ${at(m)}.`,
    lifted: (hazard, place) => `The ${hazardText(hazard)} warning for ${place} has been lifted.`,
    latest: (r) => `The latest reading of ${r.label} is ${r.quantity}${level(r)}.`,
  },
  instructions: INSTRUCTIONS,
  extreme: {
    sudden: 'Follow the instructions of local authorities and emergency services.',
    slow: 'Authorities should act without delay.',
  },
  noFurtherAction: 'No further action is needed.',
};
