import type { ContactFields } from './contact-fields';
import { mergeContactFields, normalizeTags, patchCustomFields, unionTags } from './contact-fields';

function contact(fields: Partial<ContactFields> = {}): ContactFields {
  return {
    firstName: null,
    lastName: null,
    phone: null,
    email: null,
    address: null,
    address2: null,
    city: null,
    state: null,
    zip: null,
    tags: [],
    customFields: {},
    ...fields,
  };
}

describe('contact fields', () => {
  describe('mergeContactFields', () => {
    it('keeps every value of the target and fills its blanks from the source', () => {
      const target = contact({ firstName: 'Ann', lastName: '  ', phone: '+15551234567' });
      const source = contact({
        firstName: 'Anne',
        lastName: 'Lee',
        phone: '+15559876543',
        email: 'ann@example.com',
      });
      const { merged, changed } = mergeContactFields(target, source);
      expect(merged).toMatchObject({
        firstName: 'Ann',
        lastName: 'Lee',
        phone: '+15551234567',
        email: 'ann@example.com',
      });
      expect(changed.sort()).toEqual(['email', 'lastName']);
    });

    it('takes the address block from the source only when the target has none or the same street', () => {
      const source = contact({ address: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' });
      expect(mergeContactFields(contact(), source).merged).toMatchObject({
        address: '1 Main St',
        city: 'Austin',
        state: 'TX',
        zip: '78701',
      });
      expect(mergeContactFields(contact({ city: 'Dallas' }), source).changed).toEqual([]);
      expect(mergeContactFields(contact({ address: '1  main st' }), source).merged).toMatchObject({
        address: '1  main st',
        city: 'Austin',
        zip: '78701',
      });
      const other = mergeContactFields(contact({ address: '9 Elm Rd' }), source);
      expect(other.merged).toMatchObject({ address: '9 Elm Rd', city: null, state: null, zip: null });
      expect(other.changed).toEqual([]);
    });

    it('unites tags (target first, case-insensitively once) and merges custom fields with the target winning', () => {
      const { merged, changed } = mergeContactFields(
        contact({ tags: ['vip', 'Solar'], customFields: { roof: 'tile', budget: 10 } }),
        contact({ tags: ['solar', 'callback'], customFields: { roof: 'metal', source: 'fair' } }),
      );
      expect(merged.tags).toEqual(['vip', 'Solar', 'callback']);
      expect(merged.customFields).toEqual({ roof: 'tile', budget: 10, source: 'fair' });
      expect(changed.sort()).toEqual(['customFields', 'tags']);
    });

    it('changes nothing when the source adds nothing', () => {
      const target = contact({ firstName: 'Ann', tags: ['a'], customFields: { x: 1 } });
      expect(mergeContactFields(target, contact({ tags: ['A'], customFields: { x: 2 } })).changed).toEqual(
        [],
      );
    });
  });

  it('normalizes tags: trimmed, no blanks, each once', () => {
    expect(normalizeTags([' vip ', '', 'VIP', 'hot', '  '])).toEqual(['vip', 'hot']);
    expect(unionTags(['a'], ['b', 'A'])).toEqual(['a', 'b']);
  });

  it('patches custom fields one level deep; null removes a key', () => {
    expect(patchCustomFields({ a: 1, b: { c: 2 } }, { a: null, b: { d: 3 }, e: 'x' })).toEqual({
      b: { d: 3 },
      e: 'x',
    });
  });
});
