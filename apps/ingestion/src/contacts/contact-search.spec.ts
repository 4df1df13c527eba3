import { containsPattern, phoneFilterCandidates, phoneSearchDigits } from './contact-search';

describe('contact search', () => {
  it('reads a phone filter in any format as the E.164 numbers it may mean', () => {
    for (const raw of ['(555) 123-4567', '555.123.4567', '5551234567', '1-555-123-4567', '+1 555 123 4567']) {
      expect(phoneFilterCandidates(raw)).toEqual(['+15551234567']);
    }
    expect(phoneFilterCandidates('+44 20 7946 0958')).toEqual(['+442079460958']);
    expect(phoneFilterCandidates('0044 20 7946 0958')).toEqual(['+442079460958']);
    expect(phoneFilterCandidates('1234567')).toEqual(['+1234567', '+11234567']);
    expect(phoneFilterCandidates('no digits')).toEqual([]);
  });

  it('treats search text that looks like a number as phone digits', () => {
    expect(phoneSearchDigits('(555) 123-4567')).toBe('5551234567');
    expect(phoneSearchDigits('+1 555')).toBe('1555');
    expect(phoneSearchDigits('55')).toBeNull();
    expect(phoneSearchDigits('Ann 555')).toBeNull();
  });

  it('matches search text literally', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
