import { resolveColumns, rowReader } from './import-columns';

const headers = ['First Name', 'Cell', 'E-mail', 'Notes', 'lead_id'];

describe('resolveColumns', () => {
  it('matches headers by alias and by the webhook mapping', () => {
    const result = resolveColumns(headers, { Notes: 'source' }, undefined);
    if (!result.ok) throw new Error('expected columns');
    expect(result.columns.columns).toEqual({
      'First Name': 'firstName',
      Cell: 'phone',
      'E-mail': 'email',
      Notes: 'source',
      lead_id: 'externalId',
    });
  });

  it('lets columnMapping override the match and ignore columns (null)', () => {
    const result = resolveColumns(headers, { Notes: 'source' }, { Notes: 'utmCampaign', cell: null });
    if (!result.ok) throw new Error('expected columns');
    expect(result.columns.columns).toMatchObject({ Notes: 'utmCampaign', Cell: null });
    expect(result.columns.ignored).toEqual(['Cell']);
    expect(result.columns.fieldMapping).toEqual({ Notes: 'utmCampaign' });
  });

  it('names unknown targets and unknown columns as columnMapping.<header>', () => {
    const result = resolveColumns(headers, {}, { Cell: 'telephone', Fax: 'phone' });
    expect(result).toEqual({
      ok: false,
      issues: [
        expect.objectContaining({ field: 'columnMapping.Cell', rule: 'unknown_field' }),
        expect.objectContaining({ field: 'columnMapping.Fax', rule: 'unknown_column' }),
      ],
    });
  });
});

describe('rowReader', () => {
  it('builds header → value bodies without empty, ignored or unsafe columns', () => {
    const read = rowReader(['a', 'b', '', '__proto__', 'c'], {
      columns: {},
      ignored: ['c'],
      fieldMapping: {},
    });
    expect(read(['1', '', 'x', 'y', 'z'])).toEqual({ a: '1' });
  });
});
