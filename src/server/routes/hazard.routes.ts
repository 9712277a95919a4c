/** @module GET /v1/hazards: the hazard taxonomy as reference data — each code, its CAP categories and its name in the six UN languages. */
import { Type } from 'typebox';
import { CAP_CATEGORIES } from '../../warn/cap/cap-alert.ts';
import { HAZARDS } from '../../warn/hazards.ts';
import { hazardName, WARNING_LANGUAGES, type WarningLanguage } from '../../warn/words/warning-words.ts';
import type { HttpServer } from '../http-server.ts';

/** One value per warning language, typed as such (Object.fromEntries forgets the keys). */
const byLanguage = <T>(of: (language: WarningLanguage) => T) =>
  Object.fromEntries(WARNING_LANGUAGES.map((language) => [language, of(language)])) as Record<
    WarningLanguage,
    T
  >;

const Names = Type.Object(
  byLanguage(() => Type.String()),
  {
    description: `the hazard's name (the CAP \`event\` of its warnings) in ${WARNING_LANGUAGES.join(', ')}`,
  },
);

const HazardList = Type.Object({
  items: Type.Array(
    Type.Object({
      code: Type.String({ description: "the platform's hazard code, as in a warning's `hazard`" }),
      category: Type.Array(Type.Enum([...CAP_CATEGORIES]), {
        description: 'CAP 1.2 categories (§3.2.2) of its warnings',
      }),
      names: Names,
    }),
  ),
});

// Built once: the taxonomy and its words are compiled into the platform.
const HAZARD_LIST = {
  items: HAZARDS.map((h) => ({
    code: h.code,
    category: [...h.category],
    names: byLanguage((language) => hazardName(h.code, language)),
  })),
};

export async function hazardRoutes(app: HttpServer): Promise<void> {
  app.get(
    '/v1/hazards',
    {
      schema: {
        tags: ['warnings'],
        summary: 'The hazards warnings are about, with CAP categories and names in the six UN languages',
        description:
          'Reference data, public like the CAP alerts and feeds whose `event` carries these names. The ' +
          "dashboard shows hazards by them; a warning's texts use the same words.",
        security: [],
        response: { 200: HazardList },
      },
    },
    async () => HAZARD_LIST,
  );
}
