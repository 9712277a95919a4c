/**
 * @module Arabic warning words (severity adjectives agree with «تحذير», masculine). Every number, place,
 * time and symbol arrives already wrapped in a directional isolate; this file writes only Arabic.
 */
import type { CapSeverity } from '../../cap/cap-alert.ts';
import type { HazardCode } from '../../hazards.ts';
import {
  type HazardInstruction,
  type LanguagePack,
  type LeadTime,
  type Moment,
  type PluralForms,
  plural,
  type Reading,
} from './language-pack.ts';

const LOCALE = 'ar-u-nu-latn';

const HAZARD_NAMES: Record<HazardCode, string> = {
  air_pollution: 'تلوث الهواء',
  water_pollution: 'تلوث المياه',
  chemical_spill: 'تسرب كيميائي',
  waste_fire: 'حريق نفايات',
  wildfire: 'حريق غابات',
  forest_loss: 'فقدان الغطاء الحرجي',
  protected_habitat_loss: 'فقدان الموائل المحمية',
  species_decline: 'تراجع أعداد الأنواع',
  invasive_species: 'الأنواع الغازية',
  soil_erosion: 'تعرية التربة',
  soil_carbon_loss: 'فقدان كربون التربة',
  ecological_drought: 'الجفاف البيئي',
  algal_bloom: 'تكاثر الطحالب',
  coral_bleaching: 'ابيضاض المرجان',
  noise_pollution: 'التلوث الضوضائي',
};

const SEVERITY_NAMES: Record<CapSeverity, string> = {
  Extreme: 'بالغ الخطورة',
  Severe: 'شديد',
  Moderate: 'متوسط',
  Minor: 'طفيف',
  Unknown: 'غير معروف',
};

const INSTRUCTIONS: Record<HazardCode, HazardInstruction> = {
  air_pollution: {
    advice:
      'قلّلوا من الأنشطة البدنية الشاقة في الهواء الطلق. وعلى الأطفال وكبار السن ومرضى القلب والجهاز التنفسي توخي مزيد من الحذر.',
    severe:
      'تجنبوا بذل أي مجهود بدني في الهواء الطلق. وعلى الفئات الأكثر عرضة للخطر البقاء في الداخل. أبقوا النوافذ والأبواب مغلقة.',
  },
  water_pollution: {
    advice:
      'لا تشربوا المياه غير المعالجة من الأنهار أو البحيرات أو الآبار في المنطقة. لا تأكلوا الأسماك التي تُصاد منها. تجنبوا ملامسة المياه.',
    severe: 'استخدموا للشرب والطهي مياهًا من مصدر آمن فقط. أبعدوا الأطفال والحيوانات عن المياه.',
  },
  chemical_spill: {
    advice: 'ابتعدوا عن موقع التسرب. لا تلمسوا المادة المتسربة ولا المياه أو التربة التي قد تكون ملوثة.',
    severe:
      'إذا كنتم بالقرب من الموقع، فادخلوا إلى مبنى وأغلقوا النوافذ والأبواب وأوقفوا التهوية. اتبعوا تعليمات فرق الطوارئ.',
  },
  waste_fire: {
    advice: 'ابتعدوا عن الحريق وتجنبوا الدخان. لا تحرقوا النفايات.',
    severe:
      'ابقوا في الداخل مع إغلاق النوافذ والأبواب. وعلى من يعانون من مشكلات في التنفس الاستعداد لمغادرة المنطقة.',
  },
  wildfire: {
    advice: 'لا تشعلوا النار في الهواء الطلق. تابعوا المستجدات وكونوا مستعدين للمغادرة إذا اقترب الحريق.',
    severe:
      'استعدوا للمغادرة الآن، واحتفظوا بالوثائق والمياه والأدوية في متناول اليد. غادروا فورًا إذا طلبت السلطات ذلك.',
  },
  forest_loss: {
    advice:
      'على إدارات الغابات والسلطات المعنية التحقق من أعمال الإزالة المبلغ عنها ميدانيًا أو عبر صور الأقمار الصناعية الحديثة.',
    severe: 'أوقفوا أي إزالة غير مرخصة وأمّنوا الموقع. أبلغوا سلطة الغابات عن أي قطع غير قانوني للأشجار.',
  },
  protected_habitat_loss: {
    advice: 'على إدارة المنطقة المحمية تفقد الموقع وتوثيق أي تعدٍّ عليه.',
    severe: 'أوقفوا التعدي فورًا وأبلغوا الجهة المسؤولة عن المنطقة المحمية.',
  },
  species_decline: {
    advice: 'على القائمين على صون الطبيعة التحقق من هذا التراجع بإجراء مسوح إضافية.',
    severe:
      'حدّدوا الضغوط الواقعة على النوع وقلّلوها، مثل الصيد والإزعاج والتلوث. وادرسوا اتخاذ تدابير حماية عاجلة.',
  },
  invasive_species: {
    advice:
      'لا تنقلوا النباتات أو الحيوانات أو التربة أو المياه إلى خارج المنطقة. أبلغوا الجهة البيئية المختصة عن أي مشاهدات جديدة.',
    severe: 'على القائمين على إدارة الأراضي والمياه البدء فورًا بتدابير المكافحة لوقف الانتشار.',
  },
  soil_erosion: {
    advice: 'على مستخدمي الأراضي إبقاء التربة مغطاة وتجنب الحراثة أو الرعي على المنحدرات الجرداء.',
    severe:
      'ثبّتوا المنحدرات والأخاديد المتآكلة بالغطاء النباتي أو الحواجز. أبعدوا الناس والماشية عن الأراضي غير المستقرة.',
  },
  soil_carbon_loss: {
    advice: 'على مستخدمي الأراضي إبقاء التربة مغطاة وإضافة المادة العضوية والحد من الحراثة.',
    severe: 'على السلطات مراجعة استخدامات الأراضي في المنطقة ودعم تدابير استعادة كربون التربة.',
  },
  ecological_drought: {
    advice:
      'استخدموا المياه باعتدال. وعلى الجهات المسؤولة عن المياه مراقبة الأنهار والأراضي الرطبة والمياه الجوفية عن كثب.',
    severe:
      'على السلطات إعداد قيود على استخدام المياه وحماية الموارد المائية للسكان والماشية والنظم البيئية.',
  },
  algal_bloom: {
    advice:
      'لا تسبحوا في المياه ولا تشربوها. أبعدوا الأطفال والحيوانات الأليفة والماشية عن المياه المتغيرة اللون أو الرغوة. لا تأكلوا الأسماك أو المحار من المنطقة.',
    severe: 'استخدموا مياهًا من مصدر آمن فقط. وعلى مرافق المياه فحص مآخذ المياه بحثًا عن سموم الطحالب.',
  },
  coral_bleaching: {
    advice:
      'على إدارة الشعاب المرجانية تكثيف المراقبة وتوثيق الابيضاض. وعلى الغواصين ومستخدمي القوارب عدم لمس المرجان أو إلقاء المراسي على الشعاب.',
    severe: 'على السلطات الحد من الضغوط الأخرى على الشعاب، مثل الصيد والسياحة وتصريف المياه الملوثة.',
  },
  noise_pollution: {
    advice: 'قلّلوا الوقت الذي تقضونه قرب مصدر الضوضاء. استخدموا واقيات السمع إذا اضطررتم إلى البقاء.',
    severe:
      'أبقوا النوافذ مغلقة وابتعدوا عن المنطقة إن أمكن. وعلى السلطات التحقق من المصدر وفرض الالتزام بحدود الضوضاء.',
  },
};

const at = (m: Moment): string => `الساعة ${m.clock} بتوقيت ${m.zone} يوم ${m.date}`;
const level = (r: Reading): string => (r.level === null ? '' : ` (المستوى ${r.level})`);

/**
 * Genitive after «خلال»: one and two are said in words («ساعة واحدة», «ساعتين»); 3–10 take the
 * plural, 11–99 the accusative singular, 100 and up the genitive singular (CLDR: few, many, other).
 */
const UNITS: Record<LeadTime['unit'], PluralForms> = {
  minute: {
    one: () => 'دقيقة واحدة',
    two: () => 'دقيقتين',
    few: (n) => `${n} دقائق`,
    many: (n) => `${n} دقيقة`,
    other: (n) => `${n} دقيقة`,
  },
  hour: {
    one: () => 'ساعة واحدة',
    two: () => 'ساعتين',
    few: (n) => `${n} ساعات`,
    many: (n) => `${n} ساعة`,
    other: (n) => `${n} ساعة`,
  },
  day: {
    one: () => 'يوم واحد',
    two: () => 'يومين',
    few: (n) => `${n} أيام`,
    many: (n) => `${n} يومًا`,
    other: (n) => `${n} يوم`,
  },
};

const leadText = (lead: LeadTime): string => plural(LOCALE, lead, UNITS[lead.unit]);

export const AR: LanguagePack = {
  locale: LOCALE,
  rightToLeft: true,
  sentenceGap: ' ',
  unnamedArea: '(منطقة غير مسماة)',
  hazardNames: HAZARD_NAMES,
  severityNames: SEVERITY_NAMES,
  headlines: {
    alert: (hazard, severity, place) =>
      severity === 'Unknown'
        ? `تحذير من ${HAZARD_NAMES[hazard]} في ${place} (درجة الخطورة غير معروفة)`
        : `تحذير ${SEVERITY_NAMES[severity]} من ${HAZARD_NAMES[hazard]} في ${place}`,
    update: (hazard, severity, place, change) => {
      const subject = `من ${HAZARD_NAMES[hazard]} في ${place}`;
      const to = severity === 'Unknown' ? '' : ` إلى «${SEVERITY_NAMES[severity]}»`;
      const warning = severity === 'Unknown' ? 'التحذير' : `تحذير ${SEVERITY_NAMES[severity]}`;
      switch (change) {
        case 'escalated':
          return `رفع مستوى التحذير ${subject}${to}`;
        case 'deescalated':
          return `خفض مستوى التحذير ${subject}${to}`;
        case 'extended':
          return `تمديد ${warning} ${subject}`;
        case null:
          return `تحديث ${warning} ${subject}`;
      }
    },
    cancel: (hazard, place) => `إلغاء التحذير من ${HAZARD_NAMES[hazard]} في ${place}`,
  },
  sentences: {
    updated: (change, severity) => {
      const to = severity === 'Unknown' ? '' : ` إلى «${SEVERITY_NAMES[severity]}»`;
      switch (change) {
        case 'escalated':
          return `تم رفع مستوى التحذير${to}.`;
        case 'deescalated':
          return `تم خفض مستوى التحذير${to}.`;
        case 'extended':
          return 'تم تمديد مدة التحذير.';
        case null:
          return 'يحل هذا التحديث محل التحذير السابق.';
      }
    },
    measured: (r, place, m) => `بلغت قيمة ${r.label} ${r.quantity}${level(r)} في ${place} ${at(m)}.`,
    forecast: (r, place, lead, m) =>
      `يُتوقع أن تبلغ قيمة ${r.label} ${r.quantity}${level(r)} في ${place} خلال ${leadText(lead)}، نحو ${at(m)}.`,
    counted: (hazard, count, place, m) =>
      `بلغ عدد البلاغات وعمليات الرصد عن ${HAZARD_NAMES[hazard]} في ${place} منذ ${at(m)}: ${count.text}.`,
    expected: (hazard, place, lead, m) =>
      `يُتوقع تجاوز عتبة التحذير من ${HAZARD_NAMES[hazard]} في ${place} خلال ${leadText(lead)}، نحو ${at(m)}.`,
    reported: (hazard, place, m) => `تم رصد ${HAZARD_NAMES[hazard]} في ${place} منذ ${at(m)}.`,
    alsoCounted: (count) => `عدد البلاغات وعمليات الرصد: ${count.text}.`,
    // «نسمة» (inhabitants) stays singular after any number in population figures.
    population: (people) => `يبلغ عدد سكان المنطقة نحو ${people.text} نسمة.`,
    corroborated: 'وقد أكّد ذلك مصدر ثانٍ مستقل.',
    until: (m) => `يظل التحذير ساريًا حتى ${at(m)}.`,
    lifted: (hazard, place) => `تم إلغاء التحذير من ${HAZARD_NAMES[hazard]} في ${place}.`,
    latest: (r) => `آخر قيمة مسجلة لمؤشر ${r.label} هي ${r.quantity}${level(r)}.`,
  },
  instructions: INSTRUCTIONS,
  extreme: {
    sudden: 'اتبعوا تعليمات السلطات المحلية وفرق الطوارئ.',
    slow: 'على السلطات التحرك دون تأخير.',
  },
  noFurtherAction: 'لا يلزم اتخاذ أي إجراء آخر.',
};
