import { useState } from 'preact/hooks';
import { LANGUAGES, type Language, language, setLanguage, t } from '../i18n.ts';
import { signIn } from '../session.ts';

export function LoginPage() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get('email')), String(form.get('password')));
    } catch {
      setError(t('wrongLogin'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>{t('appName')}</h1>
      <form onSubmit={submit} aria-describedby={error === null ? undefined : 'login-error'}>
        <label>
          {t('email')}
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error !== null && (
          <p id="login-error" role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('signIn')}
        </button>
        <label>
          {t('language')}
          <select
            value={language.value}
            onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)}
          >
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
      </form>
    </main>
  );
}
