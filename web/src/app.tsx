/** The shell: sign-in gate, navigation, language switch, and the five screens. */
import { useEffect } from 'preact/hooks';
import { Link, Route, Switch, useLocation } from 'wouter-preact';
import { LANGUAGES, type Language, language, setLanguage, t } from './i18n.ts';
import { loadHazardNames } from './levels.ts';
import { ExplorerPage } from './pages/explorer.tsx';
import { IncidentPage, IncidentsPage } from './pages/incidents.tsx';
import { LoginPage } from './pages/login.tsx';
import { NaturePage } from './pages/nature.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ReportPage } from './pages/report.tsx';
import { WarningPage, WarningsPage } from './pages/warnings.tsx';
import { currentUser, signOut } from './session.ts';

const NAV = [
  { href: '/', word: 'overview' },
  { href: '/warnings', word: 'warnings' },
  { href: '/monitoring', word: 'explorer' },
  { href: '/incidents', word: 'incidents' },
  { href: '/nature', word: 'nature' },
  { href: '/report', word: 'report' },
] as const;

export function App() {
  const user = currentUser.value;
  const [location] = useLocation();
  void language.value; // re-render everything when the language changes
  const signedIn = user != null;
  useEffect(() => {
    if (signedIn) void loadHazardNames();
  }, [signedIn]);
  if (user === undefined) return <p class="loading">{t('loading')}</p>;
  if (user === null) return <LoginPage />;
  return (
    <div class="shell">
      <header class="top">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <strong class="brand">EW4E</strong>
        <nav aria-label="Main">
          {NAV.map((item) => {
            const active = item.href === '/' ? location === '/' : location.startsWith(item.href);
            return (
              <Link key={item.href} href={item.href} aria-current={active ? 'page' : undefined}>
                {t(item.word)}
              </Link>
            );
          })}
        </nav>
        <div class="who">
          <label>
            <span class="visually-hidden">{t('language')}</span>
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
          <span title={user.email}>
            {user.name} · {user.role}
          </span>
          <button type="button" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main id="main">
        <Switch>
          <Route path="/" component={OverviewPage} />
          <Route path="/warnings" component={WarningsPage} />
          <Route path="/warnings/:id">{(p) => <WarningPage key={p.id} id={Number(p.id)} />}</Route>
          <Route path="/monitoring" component={ExplorerPage} />
          <Route path="/incidents" component={IncidentsPage} />
          <Route path="/incidents/:id">{(p) => <IncidentPage id={Number(p.id)} />}</Route>
          <Route path="/nature" component={NaturePage} />
          <Route path="/report" component={ReportPage} />
          <Route>
            <p>{t('nothing')}</p>
          </Route>
        </Switch>
      </main>
    </div>
  );
}
