/**
 * @module The platform's logger: pino with every secret redacted — credentials in headers, passwords and tokens
 * in bodies, and tokens in query strings (the self-service links carry them) — whoever logs what.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const CENSOR = '[redacted]';

/** Headers that carry credentials, wherever a request, reply or header object is logged. */
const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-csrf-token'];
/** Body fields that hold secrets (sign-in, user creation, key creation, signing keys, subscription tokens). */
const SECRET_FIELDS = [
  'password',
  'token',
  'csrf_token',
  'key',
  'secret',
  'private_key_pem',
  'confirm_token',
];

export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_HEADERS.flatMap((h) => [
    `req.headers["${h}"]`,
    `res.headers["${h}"]`,
    `headers["${h}"]`,
    `request.headers["${h}"]`,
  ]),
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `body.${f}`, `req.body.${f}`, `request.body.${f}`]),
];

/** Query parameters whose values are secrets: `?token=` of confirm, unsubscribe and acknowledge links, keys. */
const SECRET_QUERY = /^(token|key|api_key|code|password|secret|signature)$/i;

/** The URL with the values of secret query parameters replaced, for the request lines Fastify logs. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return equals >= 0 && SECRET_QUERY.test(decodeURIComponentSafe(name)) ? `${name}=${CENSOR}` : pair;
    })
    .join('&');
  return `${url.slice(0, question)}?${query}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
    serializers: {
      // Fastify's own request serializer, but with secret query values redacted (Fastify prefers ours).
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
