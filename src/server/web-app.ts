/**
 * @module Serves the dashboard (web/dist) at `/`: hashed assets cached for good, index.html never, and the
 * app's own paths (/warnings/42, /incidents/7…) answered with index.html so that links in e-mails and reloads work.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { HttpServer } from './http-server.ts';

/** The paths the dashboard's router owns (web/src/app.tsx). */
const APP_PATHS = [
  '/',
  '/warnings',
  '/warnings/*',
  '/monitoring',
  '/incidents',
  '/incidents/*',
  '/nature',
  '/report',
];

/** Registers the dashboard when it has been built; returns whether it did. */
export async function registerWebApp(app: HttpServer, webDir: string): Promise<boolean> {
  if (!existsSync(join(webDir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: webDir,
    prefix: '/',
    // Files are looked up per request, so a rebuilt dashboard is served without a restart; a path that is no
    // file falls through to the API's not-found problem.
    wildcard: true,
    index: false,
    setHeaders: (res, path) => {
      res.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  for (const path of APP_PATHS) {
    app.get(path, { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html'),
    );
  }
  return true;
}
