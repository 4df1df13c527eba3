import { describeField, fieldIssue, quoteable } from './field-issue';

describe('field issues', () => {
  it('names the vendor key when it differs from the canonical field', () => {
    expect(describeField('phone', 'phone')).toBe('phone');
    expect(describeField('phone', undefined)).toBe('phone');
    expect(describeField('phone', 'lead.contact.cell')).toBe('phone (sent as "lead.contact.cell")');
  });

  it('shortens and cleans what it quotes', () => {
    expect(quoteable('a\nb')).toBe('a b');
    expect(quoteable('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(fieldIssue('zip', 'zip_invalid', 'bad')).toEqual({
      field: 'zip',
      rule: 'zip_invalid',
      message: 'bad',
    });
  });
});
