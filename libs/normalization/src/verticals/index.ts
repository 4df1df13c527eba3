import type { Vertical } from '@leadflow/contracts';
import { b2bVertical } from './b2b';
import { homeImprovementVertical } from './home-improvement';
import { hvacVertical } from './hvac';
import { insuranceVertical } from './insurance';
import { realEstateVertical } from './real-estate';
import { solarVertical } from './solar';
import type { VerticalDefinition } from './vertical-field';

/** The typed fields of each vertical; `generic` has none. */
export const VerticalDefinitions: Readonly<Record<Vertical, VerticalDefinition>> = {
  solar: solarVertical,
  hvac: hvacVertical,
  insurance: insuranceVertical,
  real_estate: realEstateVertical,
  home_improvement: homeImprovementVertical,
  b2b: b2bVertical,
  generic: { vertical: 'generic', fields: [] },
};

/** The definition for a vertical; an unknown one (a bad setting) is read as generic. */
export function verticalDefinition(vertical: unknown): VerticalDefinition {
  return typeof vertical === 'string' && Object.hasOwn(VerticalDefinitions, vertical)
    ? VerticalDefinitions[vertical as Vertical]
    : VerticalDefinitions.generic;
}
