import { LeadBodyFactory } from './lead-body.factory';

describe('LeadBodyFactory', () => {
  it('builds a fresh solar lead per call, with the vertical fields and consent when asked', () => {
    const one = LeadBodyFactory.solar().withConsent().build();
    const two = LeadBodyFactory.solar().build();
    expect(one).toMatchObject({
      firstName: 'Jane',
      monthly_electric_bill: '$250',
      consent: { granted: true },
    });
    expect(one.phone).not.toBe(two.phone);
    expect(one.email).not.toBe(two.email);
    expect(two).not.toHaveProperty('consent');
  });

  it('encodes the same lead as JSON, nested JSON and a form', () => {
    const lead = LeadBodyFactory.hvac().withContact({ phone: '(415) 555-0100' }).withConsent();
    expect(JSON.parse(lead.json().body)).toMatchObject({ phone: '(415) 555-0100', system_age_years: 12 });
    expect(JSON.parse(lead.nested().body)).toMatchObject({ contact: { phone: '(415) 555-0100' } });
    const form = lead.form();
    expect(form.contentType).toBe('application/x-www-form-urlencoded');
    const params = new URLSearchParams(form.body);
    expect(params.get('phone')).toBe('(415) 555-0100');
    expect(params.get('consent[granted]')).toBe('true');
  });

  it('drops contact fields for a phone-only lead', () => {
    expect(LeadBodyFactory.generic().withoutContact('email').build()).not.toHaveProperty('email');
  });
});
