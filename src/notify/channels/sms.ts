/**
 * @module The SMS channel: how a text is encoded and split into segments (3GPP TS 23.038 GSM 7-bit default
 * alphabet, or UCS-2), the short text of a warning that fits in a few segments, and an adapter for a generic
 * HTTP SMS gateway. Real carriers (Twilio, Africa's Talking, Infobip, Vonage…) each get a small adapter of the
 * same shape beside this one: the encoding and the short text are theirs to reuse.
 */
import type { Channel, DeliveryAttempt, DigestMessage, WarningMessage } from '../channel.ts';
import { digestLine, digestWords } from '../digest.ts';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  readonly encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  readonly units: number;
  readonly segments: number;
}

/** GSM 03.38 basic character set (3GPP TS 23.038 §6.2.1), without ESC (0x1B), which only introduces the extension table. */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** The extension table (§6.2.1.1): each is sent as ESC + a septet, so it counts two. Form feed included. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/** Capacity of one SMS, and of each part of a concatenated one (the user-data header takes 6 octets). */
const CAPACITY: Readonly<Record<SmsEncoding, { readonly single: number; readonly part: number }>> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

export function smsEncoding(text: string): SmsEncoding {
  for (const char of text) {
    if (!GSM_BASIC.has(char) && !GSM_EXTENSION.has(char)) return 'UCS-2';
  }
  return 'GSM-7';
}

function charUnits(char: string, encoding: SmsEncoding): number {
  if (encoding === 'UCS-2') return char.length; // 2 for a surrogate pair (emoji, rare CJK)
  return GSM_EXTENSION.has(char) ? 2 : 1;
}

function unitsOf(text: string, encoding: SmsEncoding): number {
  let units = 0;
  for (const char of text) units += charUnits(char, encoding);
  return units;
}

/**
 * The encoding, the length in units and the number of SMS the text is sent as. Parts are filled the way
 * gateways fill them: an escape sequence or a surrogate pair is never split between two parts, so a part may
 * hold one unit less than its capacity. An empty text is still one SMS.
 */
export function smsSegments(text: string): SmsSegments {
  const encoding = smsEncoding(text);
  const { single, part } = CAPACITY[encoding];
  const units = unitsOf(text, encoding);
  if (units <= single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const char of text) {
    const size = charUnits(char, encoding);
    if (used + size > part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments };
}

/**
 * Typographic characters with a plain GSM-7 look-alike. One curly apostrophe (French "l’air") would otherwise
 * send the whole message as UCS-2, at 70 instead of 160 characters per SMS.
 */
const GSM_LOOKALIKES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u201A\u2032]/g, "'"],
  [/[\u201C\u201D\u201E\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00A0\u2007\u202F]/g, ' '],
];

function withGsmLookalikes(text: string): string {
  return GSM_LOOKALIKES.reduce((result, [pattern, plain]) => result.replace(pattern, plain), text);
}

/** What may stand at the end of a cut text before the ellipsis: spaces and separators, Latin, Arabic and CJK. */
const TRAILING_SEPARATORS = /[\s,;:.\-–—،؛、，；：。]+$/u;

/**
 * The longest start of `text` within `maxUnits`, ellipsis included, cut after a whole word where the language
 * has words (Intl.Segmenter finds them in Chinese too) and otherwise between graphemes, so neither a surrogate
 * pair nor a letter with its combining marks is ever split.
 */
function shortenText(text: string, maxUnits: number, encoding: SmsEncoding, language: string): string {
  if (unitsOf(text, encoding) <= maxUnits) return text;
  const ellipsis = encoding === 'GSM-7' ? '...' : '…';
  const budget = maxUnits - unitsOf(ellipsis, encoding);
  if (budget <= 0) return '';
  const longestStart = (granularity: 'word' | 'grapheme'): string => {
    let kept = '';
    let used = 0;
    for (const { segment } of new Intl.Segmenter(language, { granularity }).segment(text)) {
      const size = unitsOf(segment, encoding);
      if (used + size > budget) break;
      kept += segment;
      used += size;
    }
    return kept.replace(TRAILING_SEPARATORS, '');
  };
  let kept = longestStart('word');
  // One very long word (a URL, an unsegmented script) would leave little: cut inside it instead.
  if (unitsOf(kept, encoding) < budget / 2) kept = longestStart('grapheme');
  return kept === '' ? '' : `${kept}${ellipsis}`;
}

/** Below this, a shortened instruction or headline says too little to be worth its place. */
const MIN_USEFUL_UNITS = 16;

function composeShortText(
  headline: string,
  instruction: string,
  url: string,
  budget: number,
  encoding: SmsEncoding,
  language: string,
): string {
  const units = (text: string): number => unitsOf(text, encoding);
  const urlLine = url === '' ? '' : `\n${url}`;
  const lines = (...parts: string[]): string => parts.filter((part) => part !== '').join('\n');

  const whole = lines(headline, instruction) + urlLine;
  if (units(whole) <= budget) return whole;
  const forInstruction = budget - units(headline) - units(urlLine) - 1;
  if (instruction !== '' && forInstruction >= MIN_USEFUL_UNITS) {
    return lines(headline, shortenText(instruction, forInstruction, encoding, language)) + urlLine;
  }
  const forHeadline = budget - units(urlLine);
  if (forHeadline >= MIN_USEFUL_UNITS)
    return shortenText(headline, forHeadline, encoding, language) + urlLine;
  // The link does not leave room for the headline: the warning itself matters more than where to read on.
  return shortenText(headline, budget, encoding, language);
}

/**
 * The SMS text of a warning: headline, then the instruction shortened to fit, then the web URL, one per line,
 * in at most `maxSegments` SMS. The texts are the message's own, already in the recipient's language; typographic
 * punctuation is plainened only when that keeps the whole text in GSM-7.
 */
export function shortWarningText(message: WarningMessage, maxSegments = 2): string {
  if (!Number.isInteger(maxSegments) || maxSegments < 1) {
    throw new RangeError(`shortWarningText: maxSegments must be a positive integer, got ${maxSegments}`);
  }
  let headline = message.headline.trim();
  let instruction = message.instruction.trim();
  const url = message.webUrl.trim();
  const plainHeadline = withGsmLookalikes(headline);
  const plainInstruction = withGsmLookalikes(instruction);
  if (smsEncoding(`${plainHeadline}\n${plainInstruction}\n${url}`) === 'GSM-7') {
    headline = plainHeadline;
    instruction = plainInstruction;
  }
  // The encoding of the whole is the worst case: shortening can only drop characters that force UCS-2.
  const encoding = smsEncoding(`${headline}\n${instruction}\n${url}`);
  const { single, part } = CAPACITY[encoding];
  let budget = maxSegments === 1 ? single : maxSegments * part;
  // Parts never split an escape or a surrogate pair, so the unit budget can be one short per part: re-check.
  for (;;) {
    const text = composeShortText(headline, instruction, url, budget, encoding, message.language);
    if (smsSegments(text).segments <= maxSegments || budget <= 0) return text;
    budget -= 1;
  }
}

/**
 * The SMS text of a digest: its title, then one line per warning (most severe first) for as many as fit in
 * `maxSegments`, then "+N" for those that did not — each is one tap away on the web page of the first.
 */
export function shortDigestText(digest: DigestMessage, maxSegments = 3): string {
  const words = digestWords(digest.language);
  let lines = [words.title(digest.items.length), ...digest.items.map((m) => digestLine(m, words))];
  const plain = lines.map(withGsmLookalikes);
  if (smsEncoding(plain.join('\n')) === 'GSM-7') lines = plain;
  const url = digest.items[0]?.webUrl ?? '';
  for (let shown = digest.items.length; shown >= 0; shown--) {
    const left = digest.items.length - shown;
    const text = [...lines.slice(0, shown + 1), ...(left > 0 ? [`+${left}`] : []), url]
      .filter((line) => line !== '')
      .join('\n');
    if (smsSegments(text).segments <= maxSegments) return text;
  }
  return shortenText(lines[0] ?? '', CAPACITY['UCS-2'].single, 'UCS-2', digest.language);
}

export interface SmsChannelOptions {
  /** The gateway's send endpoint. */
  readonly gatewayUrl: string;
  /** Sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  /** Sender id or number shown to the recipient (alphanumeric ids: at most 11 characters). Default "EW4E". */
  readonly sender?: string;
  /** For the whole exchange. Default 10 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** What the generic gateway receives. */
export interface SmsGatewayRequest {
  readonly to: string;
  readonly from: string;
  readonly text: string;
  readonly encoding: SmsEncoding;
  readonly segments: number;
  /** The delivery id: the gateway's idempotency key and the reference of its delivery reports. */
  readonly reference: string;
}

/** ITU-T E.164 in the `+` form: what subscriptions store and every gateway accepts. */
const E164 = /^\+[1-9]\d{6,14}$/;

export function createSmsChannel(options: SmsChannelOptions): Channel {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const from = options.sender ?? 'EW4E';

  /** Sends one text; `reference` (a delivery or digest id) is the gateway's idempotency key. */
  async function post(text: string, reference: string, target: string): Promise<DeliveryAttempt> {
    const started = performance.now();
    const latencyMs = (): number => Math.round(performance.now() - started);
    if (!E164.test(target)) {
      return {
        outcome: 'failed',
        responseCode: null,
        error: `not an E.164 number: ${target}`,
        latencyMs: latencyMs(),
      };
    }
    const { encoding, segments } = smsSegments(text);
    const request: SmsGatewayRequest = {
      to: target,
      from,
      text,
      encoding,
      segments,
      reference,
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;

    let response: Response;
    try {
      response = await doFetch(options.gatewayUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `timeout after ${timeoutMs} ms`
          : error instanceof Error && error.cause instanceof Error
            ? `${error.message}: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}`
            : String(error);
      return { outcome: 'retry', responseCode: null, error: reason, latencyMs: latencyMs() };
    }
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 300) {
      return { outcome: 'delivered', responseCode: status, error: null, latencyMs: latencyMs() };
    }
    const error = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
    // A 4xx is about this request (a bad number, a barred recipient) and stays so; rate limits and
    // gateway troubles pass.
    const passing = status === 408 || status === 429 || status >= 500;
    return { outcome: passing ? 'retry' : 'failed', responseCode: status, error, latencyMs: latencyMs() };
  }

  return {
    kind: 'sms',
    send: (message, target) => post(shortWarningText(message), message.deliveryId, target),
    sendDigest: (digest, target) => post(shortDigestText(digest), digest.deliveryId, target),
  };
}
