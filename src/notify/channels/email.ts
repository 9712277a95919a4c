/**
 * @module The e-mail channel: one warning as a multipart text + HTML message in the recipient's language,
 * sent over SMTP (RFC 5321) through a pool of nodemailer connections, with one-click unsubscribe
 * (RFC 2369 `List-Unsubscribe`, RFC 8058 `List-Unsubscribe-Post`) and a `Message-ID` fixed per delivery.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type NodemailerError } from 'nodemailer';
import { CAP_SEVERITIES, type CapSeverity } from '../../warn/cap/cap-alert.ts';
import { severityName } from '../../warn/words/warning-words.ts';
import type { Channel, DeliveryAttempt, DigestMessage, WarningMessage } from '../channel.ts';
import { digestLine, digestWords } from '../digest.ts';
import {
  bulletinTitle,
  bulletinWords,
  capValueName,
  formatUtc,
  isRightToLeft,
} from '../media/bulletin-words.ts';
import { severityColour } from '../media/severity-colour.ts';

export interface EmailChannelOptions {
  /** `smtp://[user:password@]host:port`, or `smtps://` for implicit TLS (RFC 8314). */
  readonly smtpUrl: string;
  /** The From address, e.g. `"EW4E Warnings" <warnings@example.org>`. */
  readonly from: string;
  /** Implicit TLS from the first byte; default: true for smtps:// and port 465. Plain smtp:// still upgrades with STARTTLS when offered. */
  readonly secure?: boolean;
  /** Connection, greeting and socket timeouts. Default 15 s: a warning waiting minutes on a dead relay is worse than a retry. */
  readonly timeoutMs?: number;
  /** Open SMTP connections. Default 5 (nodemailer's default). */
  readonly maxConnections?: number;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra header fields; Message-ID among them. */
  readonly headers: Readonly<Record<string, string>>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

const CAP_SEVERITIES_KNOWN: ReadonlySet<string> = new Set(CAP_SEVERITIES);

const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

/** RFC 5322 §3.2.3 dot-atom text: what may stand on either side of the @ of a msg-id unquoted. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** The domain of the From address, for Message-IDs (RFC 5322 §3.6.4 advises the sender's domain). */
function senderDomain(from: string): string {
  const domain = /@([^\s<>@]+?)>?\s*$/.exec(from)?.[1]?.toLowerCase();
  return domain !== undefined && DOT_ATOM.test(domain) ? domain : 'ew4e.invalid';
}

/**
 * One Message-ID per delivery: a re-sent delivery (after a retry whose first try did arrive) carries the
 * same id, so mail stores and readers can fold the duplicate. Ids that are not dot-atom text are hashed.
 */
export function emailMessageId(deliveryId: string, from: string): string {
  const local = DOT_ATOM.test(deliveryId)
    ? deliveryId
    : createHash('sha256').update(deliveryId).digest('hex').slice(0, 40);
  return `<ew4e.${local}@${senderDomain(from)}>`;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only http(s) links go into an href: a `javascript:` URL in a message must not become a clickable script. */
function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function htmlLink(url: string, label: string): string {
  const href = safeHref(url);
  return href === null
    ? escapeHtml(`${label}: ${url}`)
    : `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
}

/** Paragraphs of a warning text as HTML: blank lines split paragraphs, single newlines become <br>. */
function htmlParagraphs(text: string, style = ''): string {
  return text
    .split(/\n\s*\n/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p${style}>${escapeHtml(paragraph.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** Subject, plain text, HTML and header fields of the warning, in the message's language. Pure. */
export function renderWarningEmail(message: WarningMessage, from = 'warnings@ew4e.invalid'): RenderedEmail {
  const { language, words } = bulletinWords(message.language);
  const { labels } = words;
  const sep = words.labelSeparator;
  const title = bulletinTitle(words, language, message);
  const severity = CAP_SEVERITIES_KNOWN.has(message.severity)
    ? severityName(message.severity as CapSeverity, language)
    : message.severity;
  const levels = [
    `${labels.severity}${sep}${severity}`,
    `${labels.urgency}${sep}${capValueName(words.urgencyNames, message.urgency)}`,
    `${labels.certainty}${sep}${capValueName(words.certaintyNames, message.certainty)}`,
  ];

  const facts: [string, string][] = [
    [labels.area, message.areaDesc],
    [labels.expires, formatUtc(message.expires, words)],
    [labels.sender, message.senderName],
  ];

  const text = [
    message.headline,
    '',
    title,
    levels.join(' · '),
    '',
    message.description,
    '',
    ...(message.instruction.trim() === '' ? [] : [`${labels.instruction}${sep}${message.instruction}`, '']),
    ...facts.map(([label, value]) => `${label}${sep}${value}`),
    '',
    `${labels.moreInformation}${sep}${message.webUrl}`,
    `${labels.capMessage}${sep}${message.capUrl}`,
    ...(message.acknowledgeUrl === null ? [] : [`${labels.acknowledge}${sep}${message.acknowledgeUrl}`]),
    '',
    '-- ',
    labels.subscribed,
    ...(message.unsubscribeUrl === null ? [] : [`${labels.unsubscribe}${sep}${message.unsubscribeUrl}`]),
    '',
  ].join('\n');

  const colour = severityColour(message.severity);
  const dir = isRightToLeft(message.language) ? 'rtl' : 'ltr';
  const lang = escapeHtml(message.language);
  const acknowledgeHref = message.acknowledgeUrl === null ? null : safeHref(message.acknowledgeUrl);
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${lang}" dir="${dir}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(message.headline)}</title></head>`,
    `<body dir="${dir}" style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">`,
    `<div style="background:${colour.fill};color:${colour.ink};padding:10px 14px;font-weight:bold;font-size:17px">${escapeHtml(title)}</div>`,
    `<h1 style="font-size:20px;margin:14px 0 6px">${escapeHtml(message.headline)}</h1>`,
    `<p style="margin:0 0 12px;color:#444">${levels.map(escapeHtml).join(' · ')}</p>`,
    htmlParagraphs(message.description),
    ...(message.instruction.trim() === ''
      ? []
      : [
          `<h2 style="font-size:16px;margin:14px 0 4px">${escapeHtml(labels.instruction)}</h2>`,
          htmlParagraphs(message.instruction, ' style="font-weight:bold"'),
        ]),
    '<table role="presentation" style="border-collapse:collapse;margin:12px 0">',
    ...facts.map(
      ([label, value]) =>
        `<tr><th scope="row" style="text-align:start;padding:2px 12px 2px 0;vertical-align:top">${escapeHtml(label)}</th><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    ...(acknowledgeHref === null
      ? []
      : [
          `<p><a href="${escapeHtml(acknowledgeHref)}" style="display:inline-block;background:#1a1a1a;color:#ffffff;padding:8px 14px;text-decoration:none">${escapeHtml(labels.acknowledge)}</a></p>`,
        ]),
    `<p>${htmlLink(message.webUrl, labels.moreInformation)} · ${htmlLink(message.capUrl, labels.capMessage)}</p>`,
    `<hr style="border:0;border-top:1px solid #ccc;margin:18px 0 8px">`,
    `<p style="font-size:12px;color:#555">${escapeHtml(labels.subscribed)}${
      message.unsubscribeUrl === null ? '' : ` ${htmlLink(message.unsubscribeUrl, labels.unsubscribe)}`
    }</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');

  return {
    subject: message.headline,
    text,
    html,
    headers: mailHeaders(message.deliveryId, message.language, message.unsubscribeUrl, from),
  };
}

/** Message-ID, language, auto-submitted and the one-click unsubscribe fields of a message. */
function mailHeaders(
  deliveryId: string,
  language: string,
  unsubscribeUrl: string | null,
  from: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Message-ID': emailMessageId(deliveryId, from),
    // RFC 3282 §2: a language tag, nothing else (the field must not carry what a header could be split with).
    ...(LANGUAGE_TAG.test(language) ? { 'Content-Language': language } : {}),
    // RFC 3834 §5: machine-generated, so vacation responders stay quiet.
    'Auto-Submitted': 'auto-generated',
  };
  // The serialised URL, whose '<', '>', spaces and controls are percent-encoded: nothing can close the <…>.
  const unsubscribe = unsubscribeUrl === null ? null : safeHref(unsubscribeUrl);
  if (unsubscribe !== null) {
    headers['List-Unsubscribe'] = `<${unsubscribe}>`;
    // RFC 8058 §3.1: one-click (a POST of "List-Unsubscribe=One-Click", no further question) needs HTTPS.
    if (unsubscribe.startsWith('https:')) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return headers;
}

/** A digest as one e-mail: a line per warning (most severe first) with its levels, area and link. Pure. */
export function renderDigestEmail(digest: DigestMessage, from = 'warnings@ew4e.invalid'): RenderedEmail {
  const { language, words } = bulletinWords(digest.language);
  const { labels } = words;
  const sep = words.labelSeparator;
  const digestText = digestWords(digest.language);
  const title = digestText.title(digest.items.length);
  const severityOf = (m: WarningMessage): string =>
    CAP_SEVERITIES_KNOWN.has(m.severity) ? severityName(m.severity as CapSeverity, language) : m.severity;
  const text = [
    title,
    '',
    ...digest.items.flatMap((m) => [
      `* ${digestLine(m, digestText)}`,
      `  ${labels.severity}${sep}${severityOf(m)} · ${labels.area}${sep}${m.areaDesc}`,
      `  ${labels.moreInformation}${sep}${m.webUrl}`,
      '',
    ]),
    '-- ',
    labels.subscribed,
    ...(digest.unsubscribeUrl === null ? [] : [`${labels.unsubscribe}${sep}${digest.unsubscribeUrl}`]),
    '',
  ].join('\n');
  const dir = isRightToLeft(digest.language) ? 'rtl' : 'ltr';
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(digest.language)}" dir="${dir}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body dir="${dir}" style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">`,
    `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(title)}</h1>`,
    ...digest.items.map((m) => {
      const colour =
        m.msgType === 'Cancel' ? { fill: '#e0e0e0', ink: '#1a1a1a' } : severityColour(m.severity);
      return [
        `<div style="border-inline-start:6px solid ${colour.fill};padding:4px 12px;margin:0 0 12px">`,
        `<p style="margin:0;font-weight:bold">${escapeHtml(digestLine(m, digestText))}</p>`,
        `<p style="margin:2px 0;color:#444">${escapeHtml(`${labels.severity}${sep}${severityOf(m)} · ${labels.area}${sep}${m.areaDesc}`)}</p>`,
        `<p style="margin:2px 0">${htmlLink(m.webUrl, labels.moreInformation)} · ${htmlLink(m.capUrl, labels.capMessage)}</p>`,
        '</div>',
      ].join('');
    }),
    `<hr style="border:0;border-top:1px solid #ccc;margin:18px 0 8px">`,
    `<p style="font-size:12px;color:#555">${escapeHtml(labels.subscribed)}${
      digest.unsubscribeUrl === null ? '' : ` ${htmlLink(digest.unsubscribeUrl, labels.unsubscribe)}`
    }</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return {
    subject: title,
    text,
    html,
    headers: mailHeaders(digest.deliveryId, digest.language, digest.unsubscribeUrl, from),
  };
}

/** One address, nothing else: no display name, no list, no line breaks that could smuggle in header fields. */
const SINGLE_ADDRESS = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+$/;

/** The reply code at the start of an SMTP reply ("250 2.0.0 OK" → 250). */
function replyCode(response: string | undefined): number | null {
  const match = /^([2-5]\d\d)[\s-]/.exec(response ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

/**
 * RFC 5321 §4.2.1: 5yz is a permanent refusal (the same message will be refused again), 4yz a transient
 * one. 503 (bad sequence) is a session fault, not a verdict on the message; nodemailer's `permanent`
 * flag says the same. Errors without a reply (refused connection, timeout, TLS) are passing. A refused
 * login is ours to fix, not the recipient's, so it is retried rather than given up.
 */
function attemptOfError(error: unknown, latencyMs: number): DeliveryAttempt {
  const e = (error ?? {}) as NodemailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const detail = [e.code, e.response ?? (error instanceof Error ? error.message : String(error))]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
  const permanent = code !== null && (e.permanent ?? (code >= 500 && code !== 503)) && e.code !== 'EAUTH';
  return { outcome: permanent ? 'failed' : 'retry', responseCode: code, error: detail, latencyMs };
}

/** Reads `smtp://user:password@host:port` into nodemailer's pool options. */
function transportOptions(options: EmailChannelOptions) {
  const url = new URL(options.smtpUrl);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new RangeError(`email channel: smtpUrl must be smtp:// or smtps://, not ${url.protocol}`);
  }
  const implicitTls = url.protocol === 'smtps:';
  const port = url.port === '' ? (implicitTls ? 465 : 25) : Number(url.port);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    pool: true as const,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    secure: options.secure ?? (implicitTls || port === 465),
    ...(url.username === ''
      ? {}
      : { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }),
    maxConnections: options.maxConnections ?? 5,
    // The delivery log retries; the pool re-queueing on top would hide how many tries a message took.
    maxRequeues: 0,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

export function createEmailChannel(options: EmailChannelOptions): Channel {
  const transport = nodemailer.createTransport(transportOptions(options));

  async function deliver(rendered: RenderedEmail, target: string): Promise<DeliveryAttempt> {
    const started = performance.now();
    const latencyMs = (): number => Math.round(performance.now() - started);
    const address = target.trim();
    if (!SINGLE_ADDRESS.test(address)) {
      return { outcome: 'failed', responseCode: null, error: 'not a single e-mail address', latencyMs: 0 };
    }
    try {
      const { subject, text, html, headers } = rendered;
      const { 'Message-ID': messageId, ...otherHeaders } = headers;
      const info = await transport.sendMail({
        from: options.from,
        to: address,
        subject,
        text,
        html,
        headers: otherHeaders,
        ...(messageId === undefined ? {} : { messageId }),
      });
      // With one recipient a refusal throws; this covers a server that drops it silently from the envelope.
      if (!info.accepted.some((accepted) => String(accepted).toLowerCase() === address.toLowerCase())) {
        return {
          outcome: 'failed',
          responseCode: replyCode(info.response),
          error: info.response,
          latencyMs: latencyMs(),
        };
      }
      return {
        outcome: 'delivered',
        responseCode: replyCode(info.response) ?? 250,
        error: null,
        latencyMs: latencyMs(),
      };
    } catch (error) {
      return attemptOfError(error, latencyMs());
    }
  }

  return {
    kind: 'email',
    send: (message, target) => deliver(renderWarningEmail(message, options.from), target),
    sendDigest: (digest, target) => deliver(renderDigestEmail(digest, options.from), target),
    async close() {
      transport.close();
    },
  };
}
