import { Verticals } from '@leadflow/contracts';
import { VerticalDefinitions, verticalDefinition } from './index';

describe('vertical definitions', () => {
  it('has one definition per vertical, generic without fields', () => {
    for (const vertical of Verticals) expect(VerticalDefinitions[vertical].vertical).toBe(vertical);
    expect(VerticalDefinitions.generic.fields).toEqual([]);
  });

  it('reads an unknown vertical as generic', () => {
    expect(verticalDefinition('solar')).toBe(VerticalDefinitions.solar);
    expect(verticalDefinition('toString')).toBe(VerticalDefinitions.generic);
    expect(verticalDefinition('crypto')).toBe(VerticalDefinitions.generic);
    expect(verticalDefinition(undefined)).toBe(VerticalDefinitions.generic);
  });
});
