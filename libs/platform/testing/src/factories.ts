import { v7 as uuidv7 } from 'uuid';
import type { ApiClient } from './http-client';

/** Small builders of ids and tenants for tests; every call gives fresh values. */
export const factories = {
  id: (): string => uuidv7(),
  tenant: (): { organizationId: string; workspaceId: string } => ({
    organizationId: uuidv7(),
    workspaceId: uuidv7(),
  }),
};

/** The password every test account signs up with (strong enough for identity's rules). */
export const strongPassword = 'violet-anchor-harbor-42';

let emailSeq = 0;
/** A fresh e-mail address for `name` (unique within a run: time and a counter). */
export const uniqueEmail = (name: string, domain = 'example.com'): string =>
  `${name}.${Date.now()}.${++emailSeq}@${domain}`;

/**
 * Fresh, structurally valid US numbers in a vendor's format, `(area) prefixX-XXXX`: a sequence per
 * spec (its own area code and exchange prefix), so two specs never write the same numbers.
 */
export function phoneSequence(area: string, exchangePrefix: string): () => string {
  let n = 0;
  return () => {
    const i = n++;
    return `(${area}) ${exchangePrefix}${Math.floor(i / 10_000) % 10}-${String(i % 10_000).padStart(4, '0')}`;
  };
}

/** The E.164 form of a US number written in any vendor format. */
export const e164 = (formatted: string): string => `+1${formatted.replace(/\D/g, '')}`;

/** What `POST /api/v1/auth/register` answers: the owner's tokens, organization and first workspace. */
export interface SignedUp {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
  organization: { id: string; plan: string; quotas: Record<string, unknown> };
  workspace: { id: string; kind: string; timezone: string };
}

export interface SignUpOptions {
  /** Default: a fresh address from `uniqueEmail(name)`. */
  email?: string;
  /** Extra headers (e.g. `X-Forwarded-For` to sign up from a given address). */
  headers?: Record<string, string>;
}

/**
 * Signs up a new organization (its owner and first workspace) through `client` (identity or the
 * gateway); throws with the answer unless it is a 201.
 */
export async function signUp(
  client: ApiClient,
  name: string,
  options: SignUpOptions = {},
): Promise<SignedUp> {
  const res = await client.call<SignedUp>('POST', '/api/v1/auth/register', {
    body: {
      email: options.email ?? uniqueEmail(name),
      password: strongPassword,
      name,
      organizationName: `${name} Leads`,
    },
    headers: options.headers,
  });
  if (res.status !== 201) throw new Error(`sign-up of ${name}: ${res.status} ${res.text}`);
  return res.body;
}

/** One CSV record (RFC 4180 quoting of commas, quotes and newlines), without its line break. */
export function csvLine(values: readonly string[]): string {
  return values.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

/** The columns of a solar vendor's lead CSV: the imports specs' files and the CSV-import bench's. */
export const solarLeadCsvHeader = [
  'first_name',
  'last_name',
  'phone',
  'email',
  'address',
  'city',
  'state',
  'zip',
  'monthly_electric_bill',
  'roof_condition',
  'lead_id',
  'notes',
] as const;
