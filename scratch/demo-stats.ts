import { DEMO_STATIONS, DEMO_SEED, sampleAt, seriesCodeOf, firstDueAfter, localSolarHour, demoEvents } from '../src/demo/demo-data.ts';
const end = Date.now(); const start = end - 3*86400000;
for (const st of DEMO_STATIONS) for (const se of st.series) {
  const c = st.cadenceS*1000; let n=0,min=Infinity,max=-Infinity,sum=0,ep=0,fault=0,miss=0;
  const byHour = new Array(24).fill(0), cnt = new Array(24).fill(0);
  for (let t = firstDueAfter(start,c); t<=end; t+=c) { const s = sampleAt(st,se,t,DEMO_SEED); if(!s){miss++;continue;} if (s.state==='fault'){fault++;continue;} if(s.state==='episode')ep++; n++; min=Math.min(min,s.value); max=Math.max(max,s.value); sum+=s.value; const h=Math.floor(localSolarHour(t,st.lon)); byHour[h]+=s.value; cnt[h]++; }
  console.log(seriesCodeOf(st,se).padEnd(40), n, 'min', min, 'max', max, 'mean', (sum/n).toFixed(2), 'ep', ep, 'fault', fault, 'miss', miss, '| hourly', byHour.map((v,i)=>cnt[i]? (v/cnt[i]).toFixed(1):'-').join(' '));
}
for (const e of demoEvents(end)) console.log(e.kind, new Date(e.timeMs).toISOString(), JSON.stringify(e.attributes).slice(0,80));
