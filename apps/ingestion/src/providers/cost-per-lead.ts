/**
 * The cost per lead column is `numeric(12, 2)`: at most 10 digits before the point and 2 after.
 * It is stored and answered as PostgreSQL writes it: no leading zeros, always 2 decimals ("12.50").
 */
export const CostPerLeadPattern = /^\d{1,10}\.\d{2}$/;

/** What the API accepts, as a decimal string or as the shortest text of a JSON number. */
const amount = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * A cost per lead given as a decimal string (`"12.5"`) or a JSON number (`12.5`) in the stored form
 * (`"12.50"`); any other value (negative, more than 2 decimals, exponent, too large, not a number
 * or string) is returned as it came, for validation to refuse it. `null` (clear it) stays `null`.
 */
export function normalizeCostPerLead(value: unknown): unknown {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return value;
  const match = amount.exec(text);
  if (!match) return value;
  const units = (match[1] ?? '').replace(/^0+(?=\d)/, '');
  const normalized = `${units}.${(match[2] ?? '').padEnd(2, '0')}`;
  return CostPerLeadPattern.test(normalized) ? normalized : value;
}
