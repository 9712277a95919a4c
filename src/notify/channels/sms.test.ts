import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmsChannel, shortDigestText, shortWarningText, smsEncoding, smsSegments } from './sms.ts';
import { warningMessage } from './test-message.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('smsSegments', () => {
  it.each([
    ['empty', '', 'GSM-7', 0, 1],
    ['160 GSM letters', 'a'.repeat(160), 'GSM-7', 160, 1],
    ['161 GSM letters', 'a'.repeat(161), 'GSM-7', 161, 2],
    ['306 GSM letters', 'a'.repeat(306), 'GSM-7', 306, 2],
    ['307 GSM letters', 'a'.repeat(307), 'GSM-7', 307, 3],
    ['the euro sign', '€', 'GSM-7', 2, 1],
    ['every extension character', '^{}\\[~]|€', 'GSM-7', 18, 1],
    ['159 letters and a euro', `${'a'.repeat(159)}€`, 'GSM-7', 161, 2],
    ['GSM letters of other scripts', 'ΔΦΓΛΩΠΨΣΘΞ ÆæßÉ äöñüà ÄÖÑÜ §¿¡ £¥¤', 'GSM-7', 34, 1],
    ['70 Cyrillic letters', 'ж'.repeat(70), 'UCS-2', 70, 1],
    ['71 Cyrillic letters', 'ж'.repeat(71), 'UCS-2', 71, 2],
    ['134 Cyrillic letters', 'ж'.repeat(134), 'UCS-2', 134, 2],
    ['an emoji', '😀', 'UCS-2', 2, 1],
    ['text with an emoji', `Smoke ${'😀'}`, 'UCS-2', 8, 1],
    ['a lower-case c cedilla (only Ç is GSM)', 'ç', 'UCS-2', 1, 1],
    ['a curly apostrophe', 'l’air', 'UCS-2', 5, 1],
    ['Arabic', 'تلوث الهواء', 'UCS-2', 11, 1],
    ['Chinese', '空气污染', 'UCS-2', 4, 1],
  ])('%s', (_name, text, encoding, units, segments) => {
    expect(smsEncoding(text)).toBe(encoding);
    expect(smsSegments(text)).toEqual({ encoding, units, segments });
  });

  it('never splits an escape sequence between parts', () => {
    // 306 septets would fill two parts exactly, but the euro cannot start in part one and end in part two.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
    });
  });

  it('never splits a surrogate pair between parts', () => {
    expect(smsSegments(`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`)).toEqual({
      encoding: 'UCS-2',
      units: 134,
      segments: 3,
    });
  });
});

const LONG = {
  en: {
    headline:
      'Extreme air pollution (PM2.5) across Dhaka South and the surrounding districts until Friday morning',
    instruction:
      'Avoid all outdoor exercise and strenuous activity; keep windows and doors closed; wear an N95 or FFP2 mask when outside; children, older people, pregnant women and people with heart or lung disease should stay indoors; check on neighbours who live alone and call the health line if you have difficulty breathing.',
  },
  ar: {
    headline: 'تلوث شديد للغاية في الهواء في جنوب دكا حتى الجمعة',
    instruction:
      'تجنبوا ممارسة الرياضة والأنشطة المجهدة في الهواء الطلق؛ أبقوا النوافذ والأبواب مغلقة؛ ارتدوا كمامة N95 عند الخروج؛ على الأطفال وكبار السن والحوامل ومرضى القلب والرئة البقاء في المنازل؛ تفقدوا جيرانكم الذين يعيشون بمفردهم واتصلوا بخط الصحة إذا واجهتم صعوبة في التنفس.',
  },
  zh: {
    headline: '达卡南部及周边地区空气污染（细颗粒物PM2.5）极为严重，预计将持续至星期五上午',
    instruction:
      '避免一切户外锻炼和剧烈活动；关闭门窗；外出时佩戴N95或FFP2口罩；儿童、老人、孕妇以及患有心脏病或肺病的人应留在室内；请关照独居的邻居，如出现呼吸困难请拨打健康热线。空气净化器应持续开启，并定期更换滤网。',
  },
} as const;

describe('shortWarningText', () => {
  it.each(Object.entries(LONG))(
    'fits a long %s warning in two SMS, headline first and the link last',
    (language, texts) => {
      const message = warningMessage({ language, ...texts });
      const text = shortWarningText(message);
      const { segments, encoding } = smsSegments(text);
      expect(segments).toBeLessThanOrEqual(2);
      expect(encoding).toBe(language === 'en' ? 'GSM-7' : 'UCS-2');
      expect(text.startsWith(texts.headline)).toBe(true);
      expect(text.endsWith(`\n${message.webUrl}`)).toBe(true);
      // Some of the instruction survives, shortened with an ellipsis.
      expect(text).toMatch(language === 'en' ? /\n\S.+\.\.\.\n/u : /\n\S.+…\n/u);
      expect(text).not.toMatch(LONE_SURROGATE);
    },
  );

  it('drops the instruction before shortening the headline', () => {
    const message = warningMessage({ language: 'zh', ...LONG.zh });
    const text = shortWarningText(message, 1);
    expect(smsSegments(text).segments).toBe(1);
    expect(text).toBe(`${LONG.zh.headline}\n${message.webUrl}`);
  });

  it('shortens a headline that leaves no room for the instruction', () => {
    const headline = `${LONG.ar.headline} ${LONG.ar.instruction}`;
    const message = warningMessage({ language: 'ar', headline, instruction: LONG.ar.instruction });
    const text = shortWarningText(message);
    expect(smsSegments(text).segments).toBeLessThanOrEqual(2);
    expect(text).toMatch(/^تلوث شديد.+…\nhttps:/u);
  });

  it('keeps a short warning whole', () => {
    const message = warningMessage();
    expect(shortWarningText(message)).toBe(`${message.headline}\n${message.instruction}\n${message.webUrl}`);
  });

  it('plainens typographic punctuation when that keeps French in GSM-7', () => {
    const message = warningMessage({
      language: 'fr',
      headline: 'Air très malsain (PM2,5) à Dhaka jusqu’à vendredi',
      instruction: 'Évitez l’exercice en plein air ; restez à l’intérieur',
    });
    const text = shortWarningText(message);
    expect(text).toContain("jusqu'à vendredi");
    expect(smsEncoding(text)).toBe('GSM-7');
  });

  it('never cuts an emoji in half', () => {
    const message = warningMessage({ headline: '🔥'.repeat(80), instruction: '🌫️'.repeat(40) });
    for (const maxSegments of [1, 2, 3]) {
      const text = shortWarningText(message, maxSegments);
      expect(text).not.toMatch(LONE_SURROGATE);
      expect(smsSegments(text).segments).toBeLessThanOrEqual(maxSegments);
    }
  });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function startGateway(
  respond: (res: ServerResponse) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      respond(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received };
}

describe('shortDigestText', () => {
  const digestOf = (n: number, language = 'en') => ({
    deliveryId: 'dgs_1_2_3',
    digestAt: '2026-03-01T04:00:00.000Z',
    language,
    items: Array.from({ length: n }, (_, i) =>
      warningMessage({ warningId: i + 1, threadId: i + 1, headline: `Soil carbon falling at site ${i + 1}` }),
    ),
    unsubscribeUrl: null,
  });

  it('lists every warning of a short digest with the link', () => {
    const text = shortDigestText(digestOf(2));
    expect(text.split('\n')).toEqual([
      'Warnings digest: 2 warnings',
      'Soil carbon falling at site 1',
      'Soil carbon falling at site 2',
      'https://ew4e.example.org/w/42',
    ]);
  });

  it('counts the warnings that do not fit in three SMS', () => {
    const text = shortDigestText(digestOf(40));
    expect(smsSegments(text).segments).toBeLessThanOrEqual(3);
    const shown = text.split('\n').filter((line) => line.startsWith('Soil')).length;
    expect(shown).toBeGreaterThan(5);
    expect(text).toContain(`\n+${40 - shown}\n`);
  });
});

describe('SMS gateway channel', () => {
  it('POSTs the short text with its encoding, segments and the delivery id as reference', async () => {
    const gateway = await startGateway((res) => res.writeHead(202).end('{"id":"gw-1"}'));
    const channel = createSmsChannel({ gatewayUrl: gateway.url, token: 'tok_secret', sender: 'EW4E-BD' });
    const message = warningMessage({ language: 'ar', ...LONG.ar });

    const attempt = await channel.send(message, '+8801712345678');

    expect(attempt).toMatchObject({ outcome: 'delivered', responseCode: 202, error: null });
    expect(channel.kind).toBe('sms');
    const [request] = gateway.received;
    expect(request?.headers.authorization).toBe('Bearer tok_secret');
    expect(request?.headers['content-type']).toBe('application/json');
    const text = shortWarningText(message);
    expect(JSON.parse(request!.body)).toEqual({
      to: '+8801712345678',
      from: 'EW4E-BD',
      text,
      encoding: 'UCS-2',
      segments: smsSegments(text).segments,
      reference: message.deliveryId,
    });
  });

  it('sends no authorization header without a token', async () => {
    const gateway = await startGateway((res) => res.writeHead(200).end());
    await createSmsChannel({ gatewayUrl: gateway.url }).send(warningMessage(), '+8801712345678');
    expect(gateway.received[0]?.headers.authorization).toBeUndefined();
    expect(JSON.parse(gateway.received[0]!.body).from).toBe('EW4E');
  });

  it.each([
    [400, 'failed'],
    [404, 'failed'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ] as const)('classifies HTTP %i as %s', async (status, outcome) => {
    const gateway = await startGateway((res) => res.writeHead(status).end());
    const attempt = await createSmsChannel({ gatewayUrl: gateway.url }).send(
      warningMessage(),
      '+8801712345678',
    );
    expect(attempt).toMatchObject({ outcome, responseCode: status });
  });

  it('retries when the gateway is unreachable', async () => {
    const gateway = await startGateway((res) => res.end());
    for (const server of servers.splice(0))
      await new Promise<void>((resolve) => server.close(() => resolve()));
    const attempt = await createSmsChannel({ gatewayUrl: gateway.url }).send(
      warningMessage(),
      '+8801712345678',
    );
    expect(attempt).toMatchObject({ outcome: 'retry', responseCode: null });
    expect(attempt.error).toContain('ECONNREFUSED');
  });

  it('fails a target that is no E.164 number without asking the gateway', async () => {
    const gateway = await startGateway((res) => res.writeHead(200).end());
    const attempt = await createSmsChannel({ gatewayUrl: gateway.url }).send(
      warningMessage(),
      '01712 345678',
    );
    expect(attempt.outcome).toBe('failed');
    expect(gateway.received).toHaveLength(0);
  });
});
