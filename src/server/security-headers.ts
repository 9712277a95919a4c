/**
 * @module Security headers with @fastify/helmet on every reply: a strict Content Security Policy fitted to the
 * dashboard (Vite output, MapLibre GL's blob: workers), no framing, nosniff, no referrer beyond our origin,
 * cross-origin isolation of windows and resources, and HSTS once the public URL is https.
 */
import helmet from '@fastify/helmet';
import type { HttpServer } from './http-server.ts';

type Directives = Record<string, string[]>;

/**
 * The dashboard's policy (web/): every script and style is a file from our origin; Preact and MapLibre set
 * styles through the CSSOM, which style-src does not govern, so neither 'unsafe-inline' nor 'unsafe-eval' is
 * needed. MapLibre runs its workers from blob: URLs and draws images from data: and blob:; its worker fetches
 * the overview's warning layer from a blob: URL the page made of the API's answer (web/src/pages/overview.tsx).
 */
export function dashboardDirectives(https: boolean): Directives {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    'connect-src': ["'self'", 'blob:'],
    'font-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    // the situation report's preview is our own HTML in an iframe
    'frame-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'object-src': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    // over plain http (a laptop, the demo) upgrading would break every request
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/**
 * Self-contained HTML we serve (the situation report, the black-soil report): styles inline, no script at all,
 * framed only by our own dashboard. Routes opt in with `helmet: SELF_CONTAINED_HTML` in their options.
 */
export const SELF_CONTAINED_HTML = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'none'"],
      'style-src': ["'unsafe-inline'"],
      'img-src': ['data:'],
      'frame-ancestors': ["'self'"],
    },
  },
  frameguard: { action: 'sameorigin' as const },
};

/**
 * Swagger UI at /docs (its own onSend hook sets this on its routes, over helmet's): its bundle is files from
 * our origin, its icons are data: SVG, and it fetches /docs/json.
 */
export function docsPolicy(https: boolean): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Registers helmet for every route; call before the routes are added. */
export async function registerSecurityHeaders(app: HttpServer, publicUrl: string): Promise<void> {
  const https = publicUrl.startsWith('https:');
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: dashboardDirectives(https) },
    // Browsers then refuse plain http to this host for a year; only once it is really served over TLS.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // COEP would make every embedded resource opt in; we embed nothing from elsewhere, so it buys nothing.
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    frameguard: { action: 'deny' },
  });
}
