/** One problem with one field of a lead: an error refuses the lead, a warning only reports. */
export interface FieldIssue {
  /** Canonical field (`phone`, `consent.granted`, `monthlyElectricBill`), `body`, `extra` or `fieldMapping.<key>`. */
  field: string;
  /** Stable machine-readable reason (`phone_invalid`, `range`, ...). */
  rule: string;
  /** What a vendor reads to fix the lead. */
  message: string;
}

export function fieldIssue(field: string, rule: string, message: string): FieldIssue {
  return { field, rule, message };
}

/** How a field is named in a message: its canonical name, and the vendor's name when that differs. */
export function describeField(field: string, source: string | undefined): string {
  return source === undefined || source === field ? field : `${field} (sent as "${quoteable(source)}")`;
}

/** A vendor value or key shortened and cleaned for a message. */
export function quoteable(text: string, max = 60): string {
  const clean = text.replace(/\p{Cc}/gu, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
