/** @module Russian warning words (severity adjectives agree with «опасность», feminine). */
import type { CapSeverity } from '../../cap/cap-alert.ts';
import type { HazardCode } from '../../hazards.ts';
import {
  type Count,
  type HazardInstruction,
  type LanguagePack,
  type LeadTime,
  lowerFirst,
  type Moment,
  type PluralForms,
  plural,
  type Reading,
} from './language-pack.ts';

const LOCALE = 'ru';

interface RussianHazard {
  readonly name: string;
  /** The prepositional phrase after «предупреждение»: «о загрязнении воздуха». */
  readonly about: string;
}

const HAZARDS: Record<HazardCode, RussianHazard> = {
  air_pollution: { name: 'Загрязнение воздуха', about: 'о загрязнении воздуха' },
  water_pollution: { name: 'Загрязнение воды', about: 'о загрязнении воды' },
  chemical_spill: { name: 'Разлив химических веществ', about: 'о разливе химических веществ' },
  waste_fire: { name: 'Возгорание отходов', about: 'о возгорании отходов' },
  wildfire: { name: 'Природный пожар', about: 'о природном пожаре' },
  forest_loss: { name: 'Утрата лесного покрова', about: 'об утрате лесного покрова' },
  protected_habitat_loss: {
    name: 'Утрата охраняемых местообитаний',
    about: 'об утрате охраняемых местообитаний',
  },
  species_decline: { name: 'Сокращение численности видов', about: 'о сокращении численности видов' },
  invasive_species: { name: 'Инвазивные виды', about: 'об инвазивных видах' },
  soil_erosion: { name: 'Эрозия почв', about: 'об эрозии почв' },
  soil_carbon_loss: { name: 'Потеря почвенного углерода', about: 'о потере почвенного углерода' },
  ecological_drought: { name: 'Экологическая засуха', about: 'об экологической засухе' },
  algal_bloom: { name: 'Цветение воды', about: 'о цветении воды' },
  coral_bleaching: { name: 'Обесцвечивание кораллов', about: 'об обесцвечивании кораллов' },
  noise_pollution: { name: 'Шумовое загрязнение', about: 'о шумовом загрязнении' },
};

const HAZARD_NAMES = Object.fromEntries(Object.entries(HAZARDS).map(([code, h]) => [code, h.name])) as Record<
  HazardCode,
  string
>;

const SEVERITY_NAMES: Record<CapSeverity, string> = {
  Extreme: 'Чрезвычайная',
  Severe: 'Высокая',
  Moderate: 'Умеренная',
  Minor: 'Низкая',
  Unknown: 'Неизвестная',
};

const INSTRUCTIONS: Record<HazardCode, HazardInstruction> = {
  air_pollution: {
    advice:
      'Ограничьте интенсивную физическую активность на улице. Детям, пожилым людям и людям с заболеваниями сердца или лёгких следует соблюдать особую осторожность.',
    severe:
      'Избегайте физических нагрузок на улице. Людям из групп риска следует оставаться в помещении. Держите окна и двери закрытыми.',
  },
  water_pollution: {
    advice:
      'Не пейте неочищенную воду из рек, озёр и колодцев в этом районе. Не употребляйте в пищу выловленную здесь рыбу. Избегайте контакта с водой.',
    severe:
      'Для питья и приготовления пищи используйте только воду из безопасного источника. Не подпускайте детей и животных к воде.',
  },
  chemical_spill: {
    advice:
      'Держитесь подальше от места разлива. Не прикасайтесь к веществу, а также к воде и почве, которые могут быть загрязнены.',
    severe:
      'Если вы находитесь поблизости, зайдите в помещение, закройте окна и двери и отключите вентиляцию. Следуйте указаниям экстренных служб.',
  },
  waste_fire: {
    advice: 'Держитесь подальше от очага возгорания и избегайте дыма. Не сжигайте отходы.',
    severe:
      'Оставайтесь в помещении с закрытыми окнами и дверями. Людям с заболеваниями органов дыхания следует быть готовыми покинуть район.',
  },
  wildfire: {
    advice:
      'Не разводите огонь на открытом воздухе. Следите за информацией и будьте готовы уехать, если огонь приблизится.',
    severe:
      'Готовьтесь к эвакуации уже сейчас: держите под рукой документы, воду и лекарства. Немедленно покиньте район, если этого потребуют власти.',
  },
  forest_loss: {
    advice:
      'Лесному хозяйству и органам власти следует проверить сведения о вырубке на месте или по свежим спутниковым снимкам.',
    severe:
      'Остановите несанкционированную вырубку и возьмите участок под охрану. Сообщайте о незаконных рубках в лесную службу.',
  },
  protected_habitat_loss: {
    advice: 'Администрации охраняемой территории следует осмотреть участок и зафиксировать любые нарушения.',
    severe: 'Немедленно пресеките нарушение и сообщите в орган, отвечающий за охраняемую территорию.',
  },
  species_decline: {
    advice: 'Специалистам по охране природы следует подтвердить сокращение численности повторными учётами.',
    severe:
      'Выявите и снизьте факторы угрозы для вида, такие как охота, беспокойство или загрязнение. Рассмотрите срочные меры охраны.',
  },
  invasive_species: {
    advice:
      'Не вывозите из района растения, животных, почву или воду. Сообщайте о новых находках в природоохранный орган.',
    severe:
      'Землепользователям и водопользователям следует незамедлительно начать борьбу с видом, чтобы остановить его распространение.',
  },
  soil_erosion: {
    advice:
      'Землепользователям следует сохранять растительный покров почвы, не распахивать оголённые склоны и не выпасать на них скот.',
    severe:
      'Закрепите размываемые склоны и овраги растительностью или защитными сооружениями. Не допускайте людей и скот на неустойчивые участки.',
  },
  soil_carbon_loss: {
    advice:
      'Землепользователям следует сохранять растительный покров почвы, вносить органические вещества и сократить обработку почвы.',
    severe:
      'Органам власти следует пересмотреть землепользование в районе и поддержать меры по восстановлению почвенного углерода.',
  },
  ecological_drought: {
    advice:
      'Расходуйте воду экономно. Водохозяйственным службам следует внимательно следить за реками, водно-болотными угодьями и подземными водами.',
    severe:
      'Органам власти следует подготовить ограничения на водопользование и сберечь воду для населения, скота и экосистем.',
  },
  algal_bloom: {
    advice:
      'Не купайтесь в этой воде и не пейте её. Не подпускайте детей, домашних животных и скот к окрашенной воде и пене. Не употребляйте в пищу рыбу и моллюсков из этого района.',
    severe:
      'Используйте только воду из безопасного источника. Водоканалам следует проверить водозаборы на токсины водорослей.',
  },
  coral_bleaching: {
    advice:
      'Администрации рифа следует усилить мониторинг и фиксировать обесцвечивание. Дайверам и судам нельзя касаться кораллов и вставать на якорь на рифе.',
    severe:
      'Органам власти следует снизить прочие нагрузки на риф, такие как рыболовство, туризм и загрязнённый сток.',
  },
  noise_pollution: {
    advice:
      'Сократите время пребывания рядом с источником шума. Если вам необходимо оставаться там, используйте средства защиты слуха.',
    severe:
      'Держите окна закрытыми и по возможности покиньте этот район. Органам власти следует проверить источник шума и обеспечить соблюдение нормативов.',
  },
};

const severityText = (severity: CapSeverity): string => lowerFirst(SEVERITY_NAMES[severity], LOCALE);
/** «опасность высокая», or that the level is unknown. */
const danger = (severity: CapSeverity): string =>
  severity === 'Unknown' ? 'уровень опасности неизвестен' : `опасность ${severityText(severity)}`;
const at = (m: Moment): string => `${m.clock} ${m.zone} ${m.date}`;
/** Ends a sentence once: a date closing on «г.» already has its full stop. */
const sentence = (text: string): string => (text.endsWith('.') ? text : `${text}.`);
const level = (r: Reading): string => (r.level === null ? '' : ` (уровень ${r.level})`);

/** Accusative after «через»: «через 1 минуту», «через 3 часа», «через 5 дней». */
const UNITS: Record<LeadTime['unit'], PluralForms> = {
  minute: {
    one: (n) => `${n} минуту`,
    few: (n) => `${n} минуты`,
    many: (n) => `${n} минут`,
    other: (n) => `${n} минуты`,
  },
  hour: {
    one: (n) => `${n} час`,
    few: (n) => `${n} часа`,
    many: (n) => `${n} часов`,
    other: (n) => `${n} часа`,
  },
  day: {
    one: (n) => `${n} день`,
    few: (n) => `${n} дня`,
    many: (n) => `${n} дней`,
    other: (n) => `${n} дня`,
  },
};

const leadText = (lead: LeadTime): string => plural(LOCALE, lead, UNITS[lead.unit]);

const messages = (count: Count): string =>
  plural(LOCALE, count, {
    one: (n) => `${n} сообщение`,
    few: (n) => `${n} сообщения`,
    many: (n) => `${n} сообщений`,
    other: (n) => `${n} сообщения`,
  });

export const RU: LanguagePack = {
  locale: LOCALE,
  rightToLeft: false,
  sentenceGap: ' ',
  unnamedArea: '(территория без названия)',
  hazardNames: HAZARD_NAMES,
  severityNames: SEVERITY_NAMES,
  headlines: {
    alert: (hazard, severity, place) =>
      `${place}: предупреждение ${HAZARDS[hazard].about}, ${danger(severity)}`,
    update: (hazard, severity, place, change) => {
      const warning = `${place}: предупреждение ${HAZARDS[hazard].about}`;
      switch (change) {
        case 'escalated':
          return `${warning} усилено, ${danger(severity)}`;
        case 'deescalated':
          return `${warning} ослаблено, ${danger(severity)}`;
        case 'extended':
          return `${warning} продлено, ${danger(severity)}`;
        case null:
          return `${warning} обновлено, ${danger(severity)}`;
      }
    },
    cancel: (hazard, place) => `${place}: предупреждение ${HAZARDS[hazard].about} отменено`,
  },
  sentences: {
    updated: (change, severity) => {
      const now = severity === 'Unknown' ? '' : `: опасность теперь ${severityText(severity)}`;
      switch (change) {
        case 'escalated':
          return `Предупреждение усилено${now}.`;
        case 'deescalated':
          return `Предупреждение ослаблено${now}.`;
        case 'extended':
          return 'Срок действия предупреждения продлён.';
        case null:
          return 'Предупреждение обновлено и заменяет предыдущее.';
      }
    },
    measured: (r, place, m) =>
      `В ${at(m)} значение ${r.label} в районе ${place} достигло ${r.quantity}${level(r)}.`,
    forecast: (r, place, lead, m) =>
      sentence(
        `Ожидается, что значение ${r.label} в районе ${place} достигнет ${r.quantity}${level(r)} не позднее чем через ${leadText(lead)}, около ${at(m)}`,
      ),
    counted: (hazard, count, place, m) =>
      `С ${at(m)} в районе ${place} поступило ${messages(count)} ${HAZARDS[hazard].about}.`,
    expected: (hazard, place, lead, m) =>
      sentence(
        `${HAZARD_NAMES[hazard]} в районе ${place}: ожидается превышение порога предупреждения не позднее чем через ${leadText(lead)}, около ${at(m)}`,
      ),
    reported: (hazard, place, m) =>
      sentence(`${HAZARD_NAMES[hazard]} в районе ${place}: ситуация отмечается с ${at(m)}`),
    alsoCounted: (count) => `Поступило ${messages(count)}.`,
    population: (people) =>
      plural(LOCALE, people, {
        one: (n) => `В районе проживает ${n} человек.`,
        few: (n) => `В районе проживает ${n} человека.`,
        many: (n) => `В районе проживает ${n} человек.`,
        other: (n) => `В районе проживает ${n} человека.`,
      }),
    corroborated: 'Это подтверждено вторым независимым источником.',
    until: (m) => sentence(`Предупреждение действует до ${at(m)}`),
    lifted: (hazard, place) => `Предупреждение ${HAZARDS[hazard].about} в районе ${place} отменено.`,
    latest: (r) => `Последнее значение ${r.label}: ${r.quantity}${level(r)}.`,
  },
  instructions: INSTRUCTIONS,
  extreme: {
    sudden: 'Следуйте указаниям местных властей и экстренных служб.',
    slow: 'Органам власти следует действовать незамедлительно.',
  },
  noFurtherAction: 'Дальнейших действий не требуется.',
};
