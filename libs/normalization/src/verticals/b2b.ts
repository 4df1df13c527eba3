import { normalizeWebUrl } from '../urls-and-ips';
import { ok, parseInteger, textField } from './field-parsers';
import type { FieldParse, VerticalDefinition, VerticalField } from './vertical-field';

export const MaxEmployeeCount = 10_000_000;

/** A head count, or a band as vendors send it (`11-50`, `11 to 50`, `10,001+`). */
export type EmployeeCount = number | { min: number; max: number | null };

const employeeUnits = ['employees', 'employee', 'people', 'staff'];

export function parseEmployeeCount(value: string | number | boolean): EmployeeCount | null {
  if (typeof value !== 'string') return typeof value === 'number' ? parseInteger(value) : null;
  const text = value.trim().toLowerCase();
  if (text.length > 60) return null;
  const band = /^(.+?)\s*(?:-|–|—|to)\s*(.+)$/.exec(text);
  if (band) {
    const min = parseInteger(band[1] ?? '', employeeUnits);
    const max = parseInteger(band[2] ?? '', employeeUnits);
    return min === null || max === null ? null : { min, max };
  }
  const open = /^(.+?)\s*(?:\+|or more|plus)$/.exec(text);
  if (open) {
    const min = parseInteger(open[1] ?? '', employeeUnits);
    return min === null ? null : { min, max: null };
  }
  return parseInteger(text, employeeUnits);
}

const employeeCount: VerticalField = {
  name: 'employeeCount',
  aliases: [
    'employee_count',
    'employees',
    'num_employees',
    'number_of_employees',
    'company_size',
    'headcount',
    'staff_count',
    'employee_range',
  ],
  parse(value): FieldParse {
    const count = parseEmployeeCount(value);
    if (count === null) {
      return { ok: false, rule: 'type', message: 'must be a number of employees or a range like 11-50' };
    }
    const [min, max] = typeof count === 'number' ? [count, count] : [count.min, count.max ?? count.min];
    if (min < 1 || max > MaxEmployeeCount || min > max) {
      return {
        ok: false,
        rule: 'range',
        message: `must be between 1 and ${MaxEmployeeCount} (a range low to high)`,
      };
    }
    return ok(count);
  },
};

const website: VerticalField = {
  name: 'website',
  aliases: [
    'company_website',
    'website_url',
    'web_site',
    'domain',
    'company_domain',
    'homepage',
    'company_url',
  ],
  parse(value): FieldParse {
    const url = typeof value === 'string' ? normalizeWebUrl(value, { allowBareDomain: true }) : null;
    return url === null
      ? { ok: false, rule: 'type', message: 'must be a website like acme.com or https://acme.com' }
      : ok(url);
  },
};

export const b2bVertical: VerticalDefinition = {
  vertical: 'b2b',
  fields: [
    {
      ...textField(
        {
          name: 'company',
          aliases: [
            'company_name',
            'business_name',
            'organization',
            'organization_name',
            'employer',
            'business',
            'account_name',
          ],
        },
        200,
      ),
      required: true,
    },
    textField({ name: 'title', aliases: ['job_title', 'position', 'role', 'job_role'] }, 200),
    website,
    employeeCount,
    textField({ name: 'industry', aliases: ['sector', 'business_type', 'company_industry'] }, 200),
  ],
};
