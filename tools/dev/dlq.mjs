// `npm run dlq -- <service> list [--consumer NAME] [--limit N] [--cursor C]`
// `npm run dlq -- <service> show <id>` · `npm run dlq -- <service> replay <id>`
// Talks to the service's admin endpoint (/admin/dlq) at <SERVICE>_URL or its default port, with
// the operator token from OPERATOR_TOKEN (npm start prints the one it generated).
import { SERVICES, hostOf, portOf } from './platform.mjs';

const [name, command = 'list', ...rest] = process.argv.slice(2);
const service = SERVICES.find((s) => s.name === name && s.hasDatabase);
if (!service || !['list', 'show', 'replay'].includes(command)) {
  process.stderr.write(
    `usage: npm run dlq -- <${SERVICES.filter((s) => s.hasDatabase)
      .map((s) => s.name)
      .join('|')}> list|show <id>|replay <id>\n`,
  );
  process.exit(2);
}
const base = process.env[service.envUrl] ?? `http://${hostOf()}:${portOf(service)}`;
let url;
let method = 'GET';
if (command === 'list') {
  const query = new URLSearchParams();
  for (let i = 0; i < rest.length; i += 2) query.set(rest[i].replace(/^--/, ''), rest[i + 1]);
  url = `${base}/admin/dlq?${query}`;
} else {
  if (!rest[0]) {
    process.stderr.write(`${command} needs a dead-letter id\n`);
    process.exit(2);
  }
  url = `${base}/admin/dlq/${encodeURIComponent(rest[0])}${command === 'replay' ? '/replay' : ''}`;
  if (command === 'replay') method = 'POST';
}
const res = await fetch(url, { method, headers: { 'X-Operator-Token': process.env.OPERATOR_TOKEN ?? '' } });
process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
process.exit(res.ok ? 0 : 1);
