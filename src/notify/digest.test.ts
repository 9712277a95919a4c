import { describe, expect, it } from 'vitest';
import { digestItems, digestLine, digestWords } from './digest.ts';
import { testWarningMessage } from './media/test-message.ts';

const message = (warningId: number, threadId: number, overrides: object) =>
  testWarningMessage({ overrides: { warningId, threadId, ...overrides } });

describe('digest items', () => {
  it('shows the latest version of each warning, most severe first, an ended one last', () => {
    const items = digestItems([
      message(1, 1, { severity: 'Moderate', headline: 'soil A' }),
      message(2, 2, { severity: 'Minor', headline: 'drought B' }),
      message(3, 1, { msgType: 'Update', severity: 'Severe', headline: 'soil A worse' }),
      message(4, 3, { severity: 'Severe', headline: 'forest C', msgType: 'Alert' }),
      message(5, 4, { msgType: 'Cancel', severity: 'Extreme', headline: 'reef D' }),
    ]);
    expect(items.map((m) => m.warningId)).toEqual([3, 4, 2, 5]);
    expect(items.map((m) => m.headline)).toEqual(['soil A worse', 'forest C', 'drought B', 'reef D']);
    expect(digestLine(items[3]!, digestWords('fr-FR'))).toBe('Terminée: reef D');
  });

  it('counts in the subscriber language, English for one it has no words for', () => {
    expect(digestWords('es').title(2)).toBe('Resumen de alertas: 2 alertas');
    expect(digestWords('sw').title(1)).toBe('Warnings digest: 1 warning');
  });
});
