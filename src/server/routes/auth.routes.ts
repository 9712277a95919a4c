/** @module Dashboard sign-in: a session cookie (HttpOnly, SameSite=Strict) and a CSRF token that every change sends back. */
import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { DEFAULT_RATE_LIMITS } from '../../config.ts';
import { Ew4eError } from '../../errors.ts';
import { ROLES, SESSION_COOKIE, SESSION_TTL_S } from '../../registry/access.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, needsRehash, verifyPassword } from '../../registry/password.ts';
import { appendSecurityEvent } from '../../store/audit.repository.ts';
import {
  endSession,
  replacePasswordHash,
  type SessionUser,
  sessionOf,
  startSession,
  userForSignIn,
} from '../../store/session.repository.ts';
import { type HttpServer, requireCsrfToken, sessionTokenOf } from '../http-server.ts';
import { Problem } from './route-schemas.ts';

/** One message for an unknown e-mail and a wrong password, so that sign-in does not reveal who has an account. */
const WRONG_CREDENTIALS = 'e-mail or password is wrong';

const SignedIn = Type.Object({
  user: Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    email: Type.String(),
    role: Type.Enum(ROLES),
    organisation_id: Type.Integer(),
    organisation_name: Type.String(),
  }),
  csrf_token: Type.String({
    description: 'send it back as the X-CSRF-Token header with every request that changes something',
  }),
});

function signedIn(user: SessionUser, csrfToken: string) {
  return {
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      organisation_id: user.organisationId,
      organisation_name: user.organisationName,
    },
    csrf_token: csrfToken,
  };
}

/**
 * Secure whenever the browser reaches us over TLS (the public URL is https, or the request came over https,
 * behind a proxy only when config trusts it): the cookie must then never travel in clear.
 */
function cookieOptions(request: FastifyRequest, publicUrl: string): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: publicUrl.startsWith('https:') || request.protocol === 'https',
  };
}

/**
 * Login CSRF: another site must not sign the browser in to an account of its choosing. Browsers send Origin
 * with every cross-site POST; when present it must be ours (the public URL, or the host the browser used).
 */
function requireOwnOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = [new URL(publicUrl).origin, `${request.protocol}://${request.host}`];
  if (!own.includes(origin)) throw new Ew4eError('EW4E_FORBIDDEN', 'sign-in from another origin is refused');
}

export async function authRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;
  // An unknown e-mail costs one hash too, so that timing does not tell which e-mails have accounts.
  let decoyHash: Promise<string> | undefined;
  const decoy = (): Promise<string> => {
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return decoyHash;
  };

  app.post(
    '/auth/login',
    {
      // passwords are guessed here: a strict budget per client IP and per e-mail address
      config: { throttle: 'sign-in' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the dashboard: sets the session cookie and returns the CSRF token',
        description:
          `Sets \`${SESSION_COOKIE}\` (HttpOnly, SameSite=Strict, Path=/, ${SESSION_TTL_S / 3600} hours; Secure when the public URL or the request is https). ` +
          `At most ${DEFAULT_RATE_LIMITS.signInPerEmail} attempts per e-mail and ${DEFAULT_RATE_LIMITS.signInPerIp} per client IP in 15 minutes by default (then 429). ` +
          'A request whose Origin header is not this platform is refused (login CSRF). ' +
          'Requests with the cookie need no API key; those that change something (not GET, HEAD, OPTIONS) must send ' +
          'the returned csrf_token as the X-CSRF-Token header. A user without a password cannot sign in.',
        security: [],
        body: Type.Object(
          {
            email: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH, writeOnly: true }),
          },
          { additionalProperties: false },
        ),
        response: { 200: SignedIn, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      requireOwnOrigin(request, services.publicUrl);
      const { email, password } = request.body;
      const user = await userForSignIn(db, email);
      const passwordHash = user?.passwordHash ?? null;
      const matches =
        passwordHash === null
          ? await verifyPassword(password, await decoy()).then(() => false)
          : await verifyPassword(password, passwordHash);
      if (user === undefined || passwordHash === null || !matches) {
        // Failures against real accounts are audited; an unknown address is not, as it may be a mistyped password.
        if (user !== undefined) {
          await appendSecurityEvent(db, {
            organisationId: user.organisationId,
            actor: user.email,
            action: 'sign_in_failed',
            changes: { user_id: user.id, ip: request.ip },
          });
        }
        throw new Ew4eError('EW4E_UNAUTHENTICATED', WRONG_CREDENTIALS);
      }
      // A hash of an older scheme (scrypt) or weaker parameters is replaced while the password is at hand.
      if (needsRehash(passwordHash)) await replacePasswordHash(db, user.id, await hashPassword(password));
      const session = await startSession(db, user.id, Date.now());
      await appendSecurityEvent(db, {
        organisationId: user.organisationId,
        actor: user.email,
        action: 'signed_in',
        changes: { user_id: user.id, ip: request.ip },
      });
      reply.setCookie(SESSION_COOKIE, session.token, {
        ...cookieOptions(request, services.publicUrl),
        maxAge: SESSION_TTL_S,
      });
      return signedIn(user, session.csrfToken);
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user and the CSRF token of their session (after a page reload)',
        security: [{ session: [] }],
        response: { 200: SignedIn, 401: Problem },
      },
    },
    async (request) => {
      const token = sessionTokenOf(request);
      const session = token === undefined ? undefined : await sessionOf(db, token, Date.now());
      if (session === undefined) throw new Ew4eError('EW4E_UNAUTHENTICATED', 'not signed in');
      return signedIn(session.user, session.csrfToken);
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out: ends the session and clears the cookie',
        description:
          'A live session must send its X-CSRF-Token; without a live session this only clears the cookie.',
        security: [{ session: [] }],
        response: { 204: Type.Null(), 403: Problem },
      },
    },
    async (request, reply) => {
      const token = sessionTokenOf(request);
      if (token !== undefined) {
        const session = await sessionOf(db, token, Date.now());
        // Another site must not be able to sign the user out either.
        if (session !== undefined) requireCsrfToken(request, session);
        await endSession(db, token);
      }
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request, services.publicUrl));
      return reply.status(204).send(null);
    },
  );
}
