import { buildSubscriptionIndex } from '../src/notify/matching/subscription-index.ts';
import { generateSubscriptions, warningCases } from './match.ts';
const subs = generateSubscriptions(Number(process.argv[2] ?? 200000), 20240611);
const index = buildSubscriptionIndex(subs);
const c = warningCases()[Number(process.argv[3] ?? 1)]!;
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  for (let i = 0; i < 100; i++) index.matching(c.area);
  console.log(c.name, ((performance.now() - t) / 100).toFixed(2), 'ms');
}
