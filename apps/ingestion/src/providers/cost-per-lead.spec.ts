import { CostPerLeadPattern, normalizeCostPerLead } from './cost-per-lead';

describe('cost per lead', () => {
  it.each([
    ['12.50', '12.50'],
    ['12.5', '12.50'],
    ['12', '12.00'],
    ['0', '0.00'],
    ['007.1', '7.10'],
    ['9999999999.99', '9999999999.99'],
    [12.5, '12.50'],
    [12, '12.00'],
    [0, '0.00'],
    [-0, '0.00'],
    [0.1, '0.10'],
    [19.99, '19.99'],
    [1e3, '1000.00'],
    [9999999999.99, '9999999999.99'],
  ])('takes %p as %p (the stored form)', (input, stored) => {
    expect(normalizeCostPerLead(input)).toBe(stored);
    expect(CostPerLeadPattern.test(stored)).toBe(true);
  });

  it.each([
    -1,
    -0.01,
    12.345,
    0.001,
    1e-7,
    1e21,
    10_000_000_000,
    Number.MAX_SAFE_INTEGER,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '-1',
    '12.345',
    '1e3',
    ' 12.50',
    '12.',
    '.5',
    '12,50',
    '10000000000',
    '',
    true,
    {},
    [12],
  ])('leaves %p for validation to refuse', (input) => {
    const out = normalizeCostPerLead(input);
    expect(out).toBe(input);
    expect(typeof out === 'string' && CostPerLeadPattern.test(out)).toBe(false);
  });

  it('keeps null (clears the cost) and undefined (leaves it)', () => {
    expect(normalizeCostPerLead(null)).toBeNull();
    expect(normalizeCostPerLead(undefined)).toBeUndefined();
  });
});
