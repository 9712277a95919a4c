/** The situation report for the minister's desk: one click for the PDF, or the same as a web page. */
import { t } from '../i18n.ts';

export function ReportPage() {
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">{t('report')}</h2>
      <p>
        <a class="button" href="/v1/reports/situation.pdf" download data-testid="report-pdf">
          {t('downloadPdf')}
        </a>{' '}
        <a class="button" href="/v1/reports/situation.html" target="_blank" rel="noopener">
          {t('openHtml')}
        </a>
      </p>
      <iframe class="report-preview" src="/v1/reports/situation.html" title={t('report')} />
    </section>
  );
}
