import { type AddressInfo, createServer } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { testWarningMessage } from '../media/test-message.ts';
import { createEmailChannel, emailMessageId, renderWarningEmail } from './email.ts';

const FROM = '"EW4E Warnings" <warnings@ew4e.example.org>';

interface ReceivedMail {
  readonly recipients: string[];
  readonly raw: string;
}

/** A real SMTP server on loopback; `reject` answers RCPT TO with that reply code instead of accepting. */
async function startSmtpServer(
  reject?: number,
): Promise<{ url: string; mails: ReceivedMail[]; stop(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const options: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onRcptTo(_address, _session, callback) {
      if (reject === undefined) return callback();
      const text = reject >= 500 ? 'No such user here' : 'Try again later';
      callback(Object.assign(new Error(text), { responseCode: reject }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          recipients: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- A little MIME reading (RFC 2045–2047), enough for what nodemailer writes. ---

function splitHead(entity: string): { headers: Map<string, string>; body: string } {
  const at = entity.indexOf('\r\n\r\n');
  const head = entity.slice(0, at).replace(/\r\n(?=[ \t])/g, '');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: entity.slice(at + 4) };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words, adjacent ones joined. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (_word, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function readMail(raw: string): { headers: Map<string, string>; text: string; html: string } {
  const { headers, body } = splitHead(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  expect(boundary).toBeDefined();
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => splitHead(part.replace(/^\r\n/, '')));
  const partOf = (type: string): string => {
    const part = parts.find((p) => p.headers.get('content-type')?.startsWith(type));
    expect(part, type).toBeDefined();
    return part === undefined ? '' : decodeBody(part.headers, part.body);
  };
  return { headers, text: partOf('text/plain'), html: partOf('text/html') };
}

describe('renderWarningEmail', () => {
  it('says the warning in the message language with its links and one-click unsubscribe', () => {
    const message = testWarningMessage({ language: 'en' });
    const email = renderWarningEmail(message, FROM);
    expect(email.subject).toBe(message.headline);
    for (const body of [email.text, email.html]) {
      expect(body).toContain('Severity: Severe');
      expect(body).toContain('Urgency: Immediate');
      expect(body).toContain('Certainty: Observed');
      expect(body).toContain('2 January 2024 at 02:00 UTC');
      expect(body).toContain('Dhaka');
      expect(body).toContain(message.webUrl);
      expect(body).toContain(message.capUrl);
      expect(body).toContain('https://ew4e.example.org/unsubscribe/tok-abc');
    }
    expect(email.text).toContain(message.description);
    expect(email.text).toContain(message.instruction);
    expect(email.headers['List-Unsubscribe']).toBe('<https://ew4e.example.org/unsubscribe/tok-abc>');
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email.headers['Content-Language']).toBe('en');
    expect(email.html).toContain('<html lang="en" dir="ltr">');
    expect(email.text).not.toContain('Acknowledge');
  });

  it('writes Arabic right to left and every label in Arabic', () => {
    const message = testWarningMessage({ language: 'ar' });
    const email = renderWarningEmail(message, FROM);
    expect(email.html).toContain('<html lang="ar" dir="rtl">');
    expect(email.html).toContain('درجة الخطورة: شديد');
    expect(email.text).toContain(message.description);
    expect(email.text).toContain('إلغاء الاشتراك');
    expect(email.subject).toBe(message.headline);
  });

  it('escapes every text it puts into HTML and links only http(s) URLs', () => {
    const message = testWarningMessage({
      overrides: {
        headline: '<script>alert(1)</script> & "quotes"',
        areaDesc: '<img src=x onerror=alert(1)>',
        webUrl: 'javascript:alert(1)',
        acknowledgeUrl: 'https://ew4e.example.org/ack/1?a=1&b="2"',
      },
    });
    const { html, text } = renderWarningEmail(message, FROM);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('href="https://ew4e.example.org/ack/1?a=1&amp;b=%222%22"');
    expect(text).toContain('Acknowledge receipt: https://ew4e.example.org/ack/1?a=1&b="2"');
  });

  it('offers one-click unsubscribe only over HTTPS, and never lets a URL break out of its brackets', () => {
    const plain = renderWarningEmail(
      testWarningMessage({ overrides: { unsubscribeUrl: 'http://ew4e.example.org/u/1' } }),
      FROM,
    );
    expect(plain.headers['List-Unsubscribe']).toBe('<http://ew4e.example.org/u/1>');
    expect(plain.headers['List-Unsubscribe-Post']).toBeUndefined();
    const odd = renderWarningEmail(
      testWarningMessage({ overrides: { unsubscribeUrl: 'https://ew4e.example.org/u?t=a>b\r\nBcc: x@y' } }),
      FROM,
    );
    expect(odd.headers['List-Unsubscribe']).toMatch(/^<https:\/\/ew4e\.example\.org\/u\?t=a%3Eb[^<>\r\n]*>$/);
  });

  it('leaves the unsubscribe headers out for organisation-managed subscriptions', () => {
    const email = renderWarningEmail(testWarningMessage({ overrides: { unsubscribeUrl: null } }), FROM);
    expect(email.headers['List-Unsubscribe']).toBeUndefined();
    expect(email.headers['List-Unsubscribe-Post']).toBeUndefined();
    expect(email.text).not.toContain('Unsubscribe');
  });

  it('derives the Message-ID from the delivery id alone', () => {
    const first = renderWarningEmail(testWarningMessage(), FROM).headers['Message-ID'];
    const again = renderWarningEmail(testWarningMessage({ language: 'fr' }), FROM).headers['Message-ID'];
    expect(first).toBe('<ew4e.d-42-7-1@ew4e.example.org>');
    expect(again).toBe(first);
    expect(emailMessageId('d-43-7-1', FROM)).not.toBe(first);
    // Characters a msg-id cannot carry are hashed, still deterministically.
    const odd = emailMessageId('sub 1/<warning>@2', FROM);
    expect(odd).toMatch(/^<ew4e\.[0-9a-f]{40}@ew4e\.example\.org>$/);
    expect(emailMessageId('sub 1/<warning>@2', FROM)).toBe(odd);
  });
});

describe('createEmailChannel over SMTP', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    // Last started, first stopped: the client's pooled connection closes before the server waits on it.
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('delivers a multipart message whose headers and Arabic text arrive intact', async () => {
    const smtp = await startSmtpServer();
    stops.push(smtp.stop);
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());

    const message = testWarningMessage({ language: 'ar' });
    const attempt = await channel.send(message, 'resident@example.net');
    expect(attempt).toMatchObject({ outcome: 'delivered', responseCode: 250, error: null });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.recipients).toEqual(['resident@example.net']);

    const { headers, text, html } = readMail(mail.raw);
    expect(decodeWords(headers.get('subject') ?? '')).toBe(message.headline);
    expect(headers.get('message-id')).toBe('<ew4e.d-42-7-1@ew4e.example.org>');
    expect(headers.get('list-unsubscribe')).toBe('<https://ew4e.example.org/unsubscribe/tok-abc>');
    expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(headers.get('content-language')).toBe('ar');
    expect(headers.get('auto-submitted')).toBe('auto-generated');
    expect(text.replace(/\r\n/g, '\n')).toContain(message.description);
    expect(text).toContain('تلوث الهواء');
    expect(html).toContain('lang="ar" dir="rtl"');
    expect(html).toContain('أبقوا النوافذ والأبواب مغلقة.');
  });

  it('sends a digest as one message listing each warning, in the subscriber language', async () => {
    const smtp = await startSmtpServer();
    stops.push(smtp.stop);
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());
    const items = [
      testWarningMessage({ language: 'fr', severity: 'Severe', overrides: { warningId: 3, threadId: 1 } }),
      testWarningMessage({
        language: 'fr',
        severity: 'Moderate',
        overrides: { warningId: 4, threadId: 2, msgType: 'Cancel', headline: 'Fin <de> l’alerte' },
      }),
    ];
    const digest = {
      deliveryId: 'dgs_9_1772337600_3',
      digestAt: '2026-03-01T04:00:00.000Z',
      language: 'fr',
      items,
      unsubscribeUrl: 'https://ew4e.example.org/unsubscribe/tok-abc',
    };
    const attempt = await channel.sendDigest?.(digest, 'maire@example.net');
    expect(attempt).toMatchObject({ outcome: 'delivered', responseCode: 250 });
    const { headers, text, html } = readMail(smtp.mails[0]!.raw);
    expect(decodeWords(headers.get('subject') ?? '')).toBe('Résumé des alertes : 2 alertes');
    expect(headers.get('message-id')).toBe('<ew4e.dgs_9_1772337600_3@ew4e.example.org>');
    expect(headers.get('list-unsubscribe')).toBe('<https://ew4e.example.org/unsubscribe/tok-abc>');
    const plain = text.replace(/\r\n/g, '\n');
    expect(plain.indexOf(items[0]!.headline)).toBeGreaterThan(0);
    expect(plain).toContain('Terminée: Fin <de> l’alerte');
    expect(html).toContain('Terminée: Fin &lt;de&gt; l’alerte');
    expect(html).not.toContain('<de>');
  });

  it('sends a re-sent delivery with the same Message-ID', async () => {
    const smtp = await startSmtpServer();
    stops.push(smtp.stop);
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());
    const message = testWarningMessage();
    await channel.send(message, 'a@example.net');
    await channel.send(message, 'a@example.net');
    const ids = smtp.mails.map((mail) => readMail(mail.raw).headers.get('message-id'));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('gives up on a 550 (no such user)', async () => {
    const smtp = await startSmtpServer(550);
    stops.push(smtp.stop);
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());
    const attempt = await channel.send(testWarningMessage(), 'nobody@example.net');
    expect(attempt.outcome).toBe('failed');
    expect(attempt.responseCode).toBe(550);
    expect(attempt.error).toContain('No such user');
    expect(smtp.mails).toHaveLength(0);
  });

  it('retries after a 451 (try again later)', async () => {
    const smtp = await startSmtpServer(451);
    stops.push(smtp.stop);
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());
    const attempt = await channel.send(testWarningMessage(), 'busy@example.net');
    expect(attempt).toMatchObject({ outcome: 'retry', responseCode: 451 });
  });

  it('retries when nothing listens', async () => {
    const channel = createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());
    const attempt = await channel.send(testWarningMessage(), 'a@example.net');
    expect(attempt.outcome).toBe('retry');
    expect(attempt.responseCode).toBeNull();
    expect(attempt.error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
  });

  it('refuses a target that is not one plain address, without connecting', async () => {
    const channel = createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, from: FROM });
    stops.push(() => channel.close?.() ?? Promise.resolve());
    for (const target of ['a@example.net\r\nBcc: b@example.net', 'a@example.net, b@example.net', 'nobody']) {
      const attempt = await channel.send(testWarningMessage(), target);
      expect(attempt).toMatchObject({ outcome: 'failed', responseCode: null });
    }
  });
});
