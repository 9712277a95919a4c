import { buildSubscriptionIndex } from '../src/notify/matching/subscription-index.ts';
import { generateSubscriptions, warningCases } from './match.ts';

const subs = generateSubscriptions(Number(process.argv[2] ?? 200000), 20240611);
const index = buildSubscriptionIndex(subs);
const c = warningCases()[Number(process.argv[3] ?? 1)]!;
if (process.argv[4] === 'notest') (globalThis as any).__NOTEST = true;
for (let i = 0; i < 20; i++) index.matching(c.area);
const P = globalThis as { __P?: number[] };
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  for (let i = 0; i < 30; i++) index.matching(c.area);
  console.log(
    c.name,
    ((performance.now() - t) / 30).toFixed(2),
    'ms',
    (P.__P ?? []).map((x) => (x / 30).toFixed(2)).join(' '),
  );
  P.__P = undefined;
}
