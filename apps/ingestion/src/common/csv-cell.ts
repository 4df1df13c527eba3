/** Characters that make a spreadsheet read a cell as a formula (CSV/formula injection). */
const formulaStart = /^[=+\-@\t\r]/;
/** A plain number (`+15551234567`, `-12.50`) is never evaluated as a formula, and stays usable. */
const plainNumber = /^[+-]?\d+(\.\d+)?$/;

/**
 * Neutralizes a cell a spreadsheet would evaluate: a value starting with `=`, `+`, `-`, `@`, tab or
 * carriage return gets a leading `'` (OWASP), except plain numbers such as E.164 phones. Every CSV
 * ingestion writes (lead exports, import error reports) passes its cells through this.
 */
export function escapeCsvFormula(value: string): string {
  return formulaStart.test(value) && !plainNumber.test(value) ? `'${value}` : value;
}
