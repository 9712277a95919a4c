/** Who is signed in: the session the platform's cookie stands for, and what that user's role may do. */
import { signal } from '@preact/signals';
import { get, post, setCsrfToken } from './api.ts';

export interface User {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly role: 'viewer' | 'analyst' | 'approver' | 'admin';
  readonly organisation_id: number;
  readonly organisation_name: string;
}

interface SessionBody {
  readonly user: User;
  readonly csrf_token: string;
}

/** undefined while the first check runs; null when nobody is signed in. */
export const currentUser = signal<User | null | undefined>(undefined);

const RANK = { viewer: 0, analyst: 1, approver: 2, admin: 3 } as const;

export function can(role: User['role']): boolean {
  const user = currentUser.value;
  return user != null && RANK[user.role] >= RANK[role];
}

function accept(body: SessionBody): void {
  setCsrfToken(body.csrf_token);
  currentUser.value = body.user;
}

export async function restoreSession(): Promise<void> {
  try {
    accept(await get<SessionBody>('/auth/me'));
  } catch {
    currentUser.value = null;
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  accept(await post<SessionBody>('/auth/login', { email, password }));
}

export async function signOut(): Promise<void> {
  await post('/auth/logout').catch(() => undefined);
  setCsrfToken(null);
  currentUser.value = null;
}
