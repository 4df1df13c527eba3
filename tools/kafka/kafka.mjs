// Entry point for `npm run kafka:start` / `npm run kafka:stop` (package.json scripts).
// Same CLI as `node tools/kafka/broker.js start|stop|status [--port N]`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { main } = require('./broker.js');

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
