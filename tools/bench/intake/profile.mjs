// Reads the V8 CPU profile (`node --cpu-prof`) of the ingestion process and says where its time
// went: by package or area (our code, Nest/Express, TypeORM, pg, kafkajs, class-validator ...,
// garbage collection, idle) and by function (self time).
import { readFileSync } from 'node:fs';

/** Which part of the stack a frame's script belongs to. */
function areaOf(url, name) {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (!url) return `native: ${name || '(anonymous)'}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node core';
  const dist = /\/dist\/(apps\/[^/]+\/src\/[^/]+|libs\/[^/]+\/[^/]+(?:\/src\/[^/]+)?)/.exec(url);
  if (dist) return dist[1].replace(/\.js$/, '');
  return url;
}

/** Self time (ms) by area and by function, from a .cpuprofile file. */
export function summarizeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    selfMs.set(profile.samples[i], (selfMs.get(profile.samples[i]) ?? 0) + delta);
  }
  const byArea = new Map();
  const byFunction = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of selfMs) {
    const { callFrame } = nodes.get(id);
    const area = areaOf(callFrame.url, callFrame.functionName);
    if (area === 'idle') {
      idle += ms;
      continue;
    }
    total += ms;
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    const file = callFrame.url ? callFrame.url.replace(/^.*\/(node_modules|dist)\//, '') : '';
    const fn =
      `${callFrame.functionName || '(anonymous)'} ${file ? `${file}:${callFrame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, share: ms / total }));
  return {
    busyMs: total,
    idleMs: idle,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    areas: top(byArea, 25),
    functions: top(byFunction, 30),
  };
}
