// The vendor side of the intake bench: distinct leads posted at a fixed concurrency over HTTP
// keep-alive (one node:http Agent, one socket per worker), with per-request latency.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const AREA_CODES = ['415', '628', '650', '510', '925', '408', '707', '916', '209', '559'];
/** Exchanges a NANP number may have: [2-9]XX, not N11, and not 555 (part of it is fictional). */
const EXCHANGES = Array.from({ length: 800 }, (_, i) => 200 + i).filter((e) => e % 100 !== 11 && e !== 555);
const PER_AREA = EXCHANGES.length * 10_000;

/** The n-th distinct, structurally valid US number, in a vendor's format: (415) 2XX-XXXX. */
export function phoneOf(n) {
  const area = AREA_CODES[Math.floor(n / PER_AREA) % AREA_CODES.length];
  const exchange = EXCHANGES[Math.floor(n / 10_000) % EXCHANGES.length];
  return `(${area}) ${exchange}-${String(n % 10_000).padStart(4, '0')}`;
}

/**
 * A typical solar lead as vendors send it (~560 bytes of JSON, snake_case, a consent block, an
 * unrecognized field): the shape of the intake integration test's first lead, distinct per `n`.
 */
export function leadBody(run, n) {
  return JSON.stringify({
    first_name: 'Bench',
    last_name: `Lead ${n}`,
    phone_number: phoneOf(n),
    email_address: `bench.${run}.${n}@example.com`,
    address: '1 Market St',
    city: 'San Francisco',
    state: 'California',
    zip_code: '94103',
    lead_id: `bench-${run}-${n}`,
    monthly_electric_bill: '$250',
    homeowner: 'yes',
    roof_age: '12',
    utm_source: 'facebook',
    utm_campaign: 'spring-solar',
    consent: {
      granted: true,
      text: 'I agree to be called about solar offers',
      trustedFormCertUrl: 'https://cert.trustedform.com/2f8a3b7c9d1e4f5a6b7c8d9e0f1a2b3c4d5e6f7a',
    },
    favourite_colour: 'green',
  });
}

/** The value at quantile q (0..1) of ascending `sorted`, nearest-rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Posts leads to `url` from `concurrency` workers for `seconds`; each worker has its own kept-alive
 * socket. Returns completions per status, latencies (ms, ascending) of the 201s, the wall time until
 * the last answer, and the first few unexpected answers.
 */
export async function runLoad({ url, headers, concurrency, seconds, nextBody }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies = [];
  const statuses = new Map();
  const samples = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const body = nextBody();
        const t0 = performance.now();
        try {
          const { status, text } = await post(agent, url, headers, body);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 201) latencies.push(performance.now() - t0);
          else if (samples.length < 5) samples.push(`${status} ${text.slice(0, 200)}`);
        } catch (error) {
          failures++;
          if (samples.length < 5) samples.push(`no answer: ${error.message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const created = statuses.get(201) ?? 0;
  const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    elapsed,
    created,
    answered,
    failures,
    errors: answered - created + failures,
    statuses: Object.fromEntries(statuses),
    samples,
    perSecond: created / elapsed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}
