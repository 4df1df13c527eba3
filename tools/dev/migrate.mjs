// `npm run migrate`: build and run every service's migrations against DATABASE_URL.
import { join } from 'node:path';
import {
  DEFAULT_DATABASE_URL,
  SERVICES,
  build,
  ensureDependencies,
  ensurePostgres,
  run,
} from './platform.mjs';

ensureDependencies();
await ensurePostgres(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
build();
for (const service of SERVICES.filter((s) => s.hasDatabase)) {
  const code = await run(process.execPath, [join('dist/apps', service.name, 'src/main.js'), 'migrate']);
  if (code !== 0) process.exit(code);
}
