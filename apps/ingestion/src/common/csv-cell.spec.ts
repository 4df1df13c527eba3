import { escapeCsvFormula } from './csv-cell';

describe('escapeCsvFormula', () => {
  it('neutralizes cells a spreadsheet would evaluate as formulas', () => {
    for (const bad of ['=SUM(A1:A2)', '+cmd|calc', '-2+3', '@SUM(1)', '\t=1', '\r=1', '=HYPERLINK("x")']) {
      expect(escapeCsvFormula(bad)).toBe(`'${bad}`);
    }
  });

  it('leaves text and plain numbers (E.164 phones, signed amounts) as they are', () => {
    for (const fine of ['Ann', '+15551234567', '-12.50', '42', 'a=b', '']) {
      expect(escapeCsvFormula(fine)).toBe(fine);
    }
  });
});
