import { render } from 'preact';
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { App } from './app.tsx';
import { language, setLanguage } from './i18n.ts';
import { prefetchOverview } from './pages/overview.tsx';
import { restoreSession } from './session.ts';

setLanguage(language.value);
void restoreSession();
prefetchOverview();
render(<App />, document.getElementById('app') as HTMLElement);
