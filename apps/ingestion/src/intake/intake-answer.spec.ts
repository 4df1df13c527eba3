import { DomainError } from '@leadflow/platform/errors';
import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import { answerOf, withRateLimitHeaders } from './intake-answer';

const limits: RateLimitDecision = { allowed: true, limit: 60, remaining: 59, count: 1, resetSeconds: 30 };
const rateHeaders = { 'RateLimit-Limit': '60', 'RateLimit-Remaining': '59', 'RateLimit-Reset': '30' };
const lead = { leadId: 'lead-1', contactId: 'contact-1', status: 'new' };

describe('answerOf', () => {
  it('answers a new lead with 201 and the rate-limit headers', () => {
    expect(answerOf({ kind: 'created', lead }, limits)).toEqual({
      status: 201,
      body: lead,
      headers: rateHeaders,
    });
  });

  it('answers a duplicate with 200, naming the original lead', () => {
    expect(answerOf({ kind: 'duplicate', lead, originalLeadId: 'lead-0' }, limits)).toEqual({
      status: 200,
      body: { ...lead, duplicate: true, originalLeadId: 'lead-0' },
      headers: rateHeaders,
    });
  });

  it('answers a replay with 200 and the lead already stored', () => {
    expect(answerOf({ kind: 'replayed', lead }, limits)).toEqual({
      status: 200,
      body: { ...lead, duplicate: true, replayed: true },
      headers: rateHeaders,
    });
  });
});

describe('withRateLimitHeaders', () => {
  it('adds the headers to a domain error that names none, keeping what it says', () => {
    const error = new DomainError('validation', 'invalid_lead', 'The lead is invalid', {
      fieldErrors: [{ field: 'phone', rule: 'format', message: 'not a phone number' }],
      details: { webhookId: 'w' },
      retryAfterSeconds: 5,
    });
    const answered = withRateLimitHeaders(error, limits) as DomainError;
    expect(answered).toBeInstanceOf(DomainError);
    expect(answered).toMatchObject({
      kind: 'validation',
      code: 'invalid_lead',
      message: 'The lead is invalid',
      fieldErrors: error.fieldErrors,
      details: error.details,
      retryAfterSeconds: 5,
      headers: rateHeaders,
    });
  });

  it('keeps an error that names headers of its own, and anything that is not a domain error', () => {
    const own = new DomainError('rate_limited', 'quota', 'over quota', { headers: { 'Retry-After': '9' } });
    expect(withRateLimitHeaders(own, limits)).toBe(own);
    const crash = new Error('boom');
    expect(withRateLimitHeaders(crash, limits)).toBe(crash);
  });
});
