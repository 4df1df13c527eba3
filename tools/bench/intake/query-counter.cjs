// Preloaded into the ingestion process by `npm run bench:intake -- --profile` (node --require):
// counts the SQL statements it sends (by statement shape) and the Redis commands it sends, and
// writes the counts to BENCH_QUERY_COUNTS_FILE when the process exits. Patches the client
// prototypes only; the service's code is unchanged.
const { writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');

const out = process.env.BENCH_QUERY_COUNTS_FILE;
const load = createRequire(join(process.cwd(), 'package.json'));
const sql = new Map();
const redis = new Map();

/** `SELECT ... FROM ingestion.leads WHERE ...` → its first 110 characters, literals and $n folded. */
function shape(text) {
  return text
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\$\d+/g, '$n')
    .trim()
    .slice(0, 110);
}

const pg = load('pg');
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, values, callback) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (typeof text === 'string') {
    const key = shape(text);
    sql.set(key, (sql.get(key) || 0) + 1);
  }
  return query.call(this, config, values, callback);
};

const ioredis = load('ioredis');
const Redis = ioredis.default || ioredis;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function countedCommand(command, stream) {
  const name = command && command.name ? String(command.name).toUpperCase() : '?';
  redis.set(name, (redis.get(name) || 0) + 1);
  return sendCommand.call(this, command, stream);
};

process.on('exit', () => {
  if (!out) return;
  writeFileSync(out, JSON.stringify({ sql: Object.fromEntries(sql), redis: Object.fromEntries(redis) }));
});
