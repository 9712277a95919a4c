/**
 * @module Chinese warning words, Simplified characters. Severity follows the four grades of China's
 * national emergency plans (特别严重, 严重, 较重, 一般).
 */
import type { CapSeverity } from '../../cap/cap-alert.ts';
import type { HazardCode } from '../../hazards.ts';
import type { HazardInstruction, LanguagePack, LeadTime, Moment, Reading } from './language-pack.ts';

const HAZARD_NAMES: Record<HazardCode, string> = {
  air_pollution: '空气污染',
  water_pollution: '水污染',
  chemical_spill: '化学品泄漏',
  waste_fire: '垃圾火灾',
  wildfire: '野火',
  forest_loss: '森林丧失',
  protected_habitat_loss: '保护区生境丧失',
  species_decline: '物种数量下降',
  invasive_species: '外来入侵物种',
  soil_erosion: '土壤侵蚀',
  soil_carbon_loss: '土壤碳流失',
  ecological_drought: '生态干旱',
  algal_bloom: '藻华',
  coral_bleaching: '珊瑚白化',
  noise_pollution: '噪声污染',
};

const SEVERITY_NAMES: Record<CapSeverity, string> = {
  Extreme: '特别严重',
  Severe: '严重',
  Moderate: '较重',
  Minor: '一般',
  Unknown: '未知',
};

const INSTRUCTIONS: Record<HazardCode, HazardInstruction> = {
  air_pollution: {
    advice: '减少户外剧烈活动。儿童、老年人及心脏病或呼吸系统疾病患者应格外注意。',
    severe: '避免户外体力活动。敏感人群应留在室内。关好门窗。',
  },
  water_pollution: {
    advice: '不要饮用该地区河流、湖泊或水井中未经处理的水。不要食用在当地捕捞的鱼。避免接触水体。',
    severe: '饮用和做饭只使用安全水源的水。让儿童和动物远离水体。',
  },
  chemical_spill: {
    advice: '远离泄漏现场。不要触碰泄漏物质，也不要接触可能受污染的水和土壤。',
    severe: '如在附近，请进入室内，关好门窗并关闭通风设备。听从应急部门的指示。',
  },
  waste_fire: {
    advice: '远离火场，避开烟雾。不要焚烧垃圾。',
    severe: '留在室内，关好门窗。有呼吸系统疾病的人应做好撤离准备。',
  },
  wildfire: {
    advice: '不要在户外用火。密切关注最新信息，如火势逼近，做好撤离准备。',
    severe: '立即做好撤离准备，将证件、饮用水和药品放在手边。一旦当局要求，立即撤离。',
  },
  forest_loss: {
    advice: '林业管理部门和有关当局应通过实地核查或近期卫星影像核实所报告的毁林情况。',
    severe: '制止未经许可的砍伐并保护现场。向林业主管部门举报非法采伐。',
  },
  protected_habitat_loss: {
    advice: '保护地管理机构应实地巡查，记录任何侵占行为。',
    severe: '立即制止侵占行为，并报告保护地主管部门。',
  },
  species_decline: {
    advice: '保护管理人员应通过补充调查核实种群下降情况。',
    severe: '查明并减轻该物种面临的压力，如捕猎、干扰或污染。考虑采取紧急保护措施。',
  },
  invasive_species: {
    advice: '不要将植物、动物、土壤或水带出该地区。如发现新的个体，请向环境主管部门报告。',
    severe: '土地和水域管理者应尽快开展防控，阻止其扩散。',
  },
  soil_erosion: {
    advice: '土地使用者应保持地表覆盖，避免在裸露坡地上耕作或放牧。',
    severe: '用植被或拦挡设施加固正在侵蚀的坡地和沟壑。让人员和牲畜远离不稳定地面。',
  },
  soil_carbon_loss: {
    advice: '土地使用者应保持地表覆盖，增施有机质，减少耕作。',
    severe: '有关当局应评估该地区的土地利用，支持恢复土壤碳的措施。',
  },
  ecological_drought: {
    advice: '节约用水。水资源管理部门应密切监测河流、湿地和地下水。',
    severe: '有关当局应准备限制用水措施，保障居民、牲畜和生态系统用水。',
  },
  algal_bloom: {
    advice:
      '不要在该水域游泳，也不要饮用其中的水。让儿童、宠物和牲畜远离变色的水体或浮沫。不要食用当地的鱼类和贝类。',
    severe: '只使用安全水源的水。供水单位应检测取水口的藻毒素。',
  },
  coral_bleaching: {
    advice: '珊瑚礁管理机构应加强监测并记录白化情况。潜水员和船只不得触碰珊瑚或在礁区抛锚。',
    severe: '有关当局应减轻珊瑚礁承受的其他压力，如捕捞、旅游和污染径流。',
  },
  noise_pollution: {
    advice: '减少在噪声源附近停留的时间。如必须停留，请佩戴听力保护用品。',
    severe: '关好窗户，尽量远离该区域。有关当局应核查噪声源并依法执行噪声限值。',
  },
};

const at = (m: Moment): string => `${m.date} ${m.clock}（${m.zone}时间）`;
const level = (r: Reading): string => (r.level === null ? '' : `（${r.level}级）`);

const UNITS: Record<LeadTime['unit'], string> = { minute: '分钟', hour: '小时', day: '天' };
const leadText = (lead: LeadTime): string => `${lead.text}${UNITS[lead.unit]}`;

/** "（严重）" after the warning, or that the severity is unknown. */
const grade = (severity: CapSeverity): string =>
  severity === 'Unknown' ? '（严重程度未知）' : `（${SEVERITY_NAMES[severity]}）`;

export const ZH: LanguagePack = {
  locale: 'zh-Hans',
  rightToLeft: false,
  sentenceGap: '',
  unnamedArea: '（未命名区域）',
  hazardNames: HAZARD_NAMES,
  severityNames: SEVERITY_NAMES,
  headlines: {
    alert: (hazard, severity, place) => `${place}：${HAZARD_NAMES[hazard]}预警${grade(severity)}`,
    update: (hazard, severity, place, change) => {
      const warning = `${place}：${HAZARD_NAMES[hazard]}预警`;
      switch (change) {
        case 'escalated':
          return `${warning}升级${grade(severity)}`;
        case 'deescalated':
          return `${warning}降级${grade(severity)}`;
        case 'extended':
          return `${warning}延长${grade(severity)}`;
        case null:
          return `${warning}更新${grade(severity)}`;
      }
    },
    cancel: (hazard, place) => `${place}：${HAZARD_NAMES[hazard]}预警解除`,
  },
  sentences: {
    updated: (change, severity) => {
      switch (change) {
        case 'escalated':
          return severity === 'Unknown'
            ? '预警级别已提升。'
            : `预警级别已提升至${SEVERITY_NAMES[severity]}。`;
        case 'deescalated':
          return severity === 'Unknown' ? '预警级别已降低。' : `预警级别已降至${SEVERITY_NAMES[severity]}。`;
        case 'extended':
          return '预警有效期已延长。';
        case null:
          return '本次更新取代此前发布的预警。';
      }
    },
    measured: (r, place, m) => `${at(m)}，${place}的${r.label}达到${r.quantity}${level(r)}。`,
    forecast: (r, place, lead, m) =>
      `预计${leadText(lead)}内，即${at(m)}前后，${place}的${r.label}将达到${r.quantity}${level(r)}。`,
    counted: (hazard, count, place, m) =>
      `自${at(m)}起，${place}共收到${count.text}条有关${HAZARD_NAMES[hazard]}的报告和监测记录。`,
    expected: (hazard, place, lead, m) =>
      `预计${leadText(lead)}内，即${at(m)}前后，${place}的${HAZARD_NAMES[hazard]}将超过预警阈值。`,
    reported: (hazard, place, m) => `自${at(m)}起，在${place}监测到${HAZARD_NAMES[hazard]}。`,
    alsoCounted: (count) => `共收到${count.text}条相关报告和监测记录。`,
    population: (people) => `该地区约有${people.text}人居住。`,
    corroborated: '另一独立来源已证实这一情况。',
    until: (m) => `本预警有效期至${at(m)}。`,
    lifted: (hazard, place) => `${place}的${HAZARD_NAMES[hazard]}预警已解除。`,
    latest: (r) => `${r.label}最新读数：${r.quantity}${level(r)}。`,
  },
  instructions: INSTRUCTIONS,
  extreme: {
    sudden: '请听从当地政府和应急部门的指示。',
    slow: '有关当局应立即采取行动。',
  },
  noFurtherAction: '无需采取进一步行动。',
};
