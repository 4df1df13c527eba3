/** At most this many reset e-mails per account per window; further requests are silently dropped. */
export const MAX_RESET_REQUESTS = 3;
export const RESET_REQUEST_WINDOW_MS = 60 * 60 * 1000;

/** Whether another reset may be issued, given the account's earlier requests. */
export function mayRequestReset(earlier: readonly Date[], now: Date): boolean {
  const since = now.getTime() - RESET_REQUEST_WINDOW_MS;
  return earlier.filter((at) => at.getTime() > since).length < MAX_RESET_REQUESTS;
}
