import type { Vertical } from '@leadflow/contracts';
import { phoneSequence, uniqueEmail } from '@leadflow/platform/testing';

/** A body ready to post: its bytes as text and the content type that goes with them. */
export interface EncodedLead {
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
  body: string;
}

type Fields = Record<string, string | number | boolean>;

const nextPhone = phoneSequence('737', '65');

/** What a vendor of each vertical sends beyond the contact. */
const VERTICAL_FIELDS: Record<Vertical, Fields> = {
  solar: { monthly_electric_bill: '$250', homeowner: 'yes', roof_condition: 'good' },
  hvac: { system_age_years: 12, homeowner: 'yes' },
  insurance: { coverage_type: 'auto', current_carrier: 'Acme Mutual' },
  real_estate: { intent: 'buy', price_range: '300000-400000' },
  home_improvement: { project: 'kitchen', timeline: '3 months' },
  b2b: { company: 'Acme Corp', job_title: 'Operations lead' },
  generic: {},
};

/**
 * Builder of vendor lead bodies by vertical and format:
 * `LeadBodyFactory.solar().withConsent().form()`. Every build gets a fresh phone and e-mail unless
 * told otherwise; `json()` is flat camelCase, `nested()` puts the contact under `contact`, `form()`
 * is `application/x-www-form-urlencoded` with bracketed keys for the consent.
 */
export class LeadBodyFactory {
  private contact: Fields;
  private details: Fields;
  private consent?: { granted: boolean; text: string; trustedFormCertUrl: string };

  private constructor(readonly vertical: Vertical) {
    this.contact = {
      firstName: 'Jane',
      lastName: 'Doe',
      phone: nextPhone(),
      email: uniqueEmail('jane.doe'),
      state: 'TX',
      zip: '78701',
    };
    this.details = { ...VERTICAL_FIELDS[vertical] };
  }

  static of(vertical: Vertical): LeadBodyFactory {
    return new LeadBodyFactory(vertical);
  }
  static solar(): LeadBodyFactory {
    return new LeadBodyFactory('solar');
  }
  static hvac(): LeadBodyFactory {
    return new LeadBodyFactory('hvac');
  }
  static insurance(): LeadBodyFactory {
    return new LeadBodyFactory('insurance');
  }
  static generic(): LeadBodyFactory {
    return new LeadBodyFactory('generic');
  }

  /** Overrides or adds contact fields (`firstName`, `phone`, `email`, ...). */
  withContact(fields: Fields): this {
    this.contact = { ...this.contact, ...fields };
    return this;
  }
  /** Drops contact fields (e.g. `withoutContact('email')` for a phone-only lead). */
  withoutContact(...names: string[]): this {
    for (const name of names) delete this.contact[name];
    return this;
  }
  /** Overrides or adds the vertical's own fields. */
  withDetails(fields: Fields): this {
    this.details = { ...this.details, ...fields };
    return this;
  }
  withExternalId(externalId: string): this {
    this.details = { ...this.details, externalId };
    return this;
  }
  withConsent(granted = true): this {
    this.consent = {
      granted,
      text: 'I agree to be called',
      trustedFormCertUrl: 'https://cert.trustedform.com/abc123',
    };
    return this;
  }

  /** The flat object a JSON vendor posts. */
  build(): Record<string, unknown> {
    return { ...this.contact, ...this.details, ...(this.consent ? { consent: this.consent } : {}) };
  }
  /** The same lead with its contact nested under `contact`. */
  buildNested(): Record<string, unknown> {
    return {
      contact: { ...this.contact },
      ...this.details,
      ...(this.consent ? { consent: this.consent } : {}),
    };
  }

  json(): EncodedLead {
    return { contentType: 'application/json', body: JSON.stringify(this.build()) };
  }
  nested(): EncodedLead {
    return { contentType: 'application/json', body: JSON.stringify(this.buildNested()) };
  }
  form(): EncodedLead {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...this.contact, ...this.details }))
      params.append(key, String(value));
    if (this.consent) {
      for (const [key, value] of Object.entries(this.consent))
        params.append(`consent[${key}]`, String(value));
    }
    return { contentType: 'application/x-www-form-urlencoded', body: params.toString() };
  }
}
