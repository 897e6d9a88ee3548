/**
 * Fashion colour names with sRGB anchors, and nearest-name lookup by CIEDE2000.
 * To add a name: append a row to TABLE (lower-case name, Lab anchor, family).
 */
import { deltaE2000, labToHex, type Lab } from './lab.ts';

/** Coarse families, used to compare names loosely and for harmony rules. */
export type ColourFamily =
  | 'white'
  | 'neutral-light'
  | 'brown'
  | 'red'
  | 'pink'
  | 'orange'
  | 'yellow'
  | 'green'
  | 'blue'
  | 'purple'
  | 'grey'
  | 'black'
  | 'metallic';

export interface ColourName {
  name: string;
  hex: string;
  family: ColourFamily;
  lab: Lab;
}

/**
 * [name, CIELAB anchor, family]. Anchors sit where garments of that colour usually land in product photos
 * (lower chroma and mid lightness compared with paint-chip values: black garments photograph at L* ≈ 15).
 */
const TABLE: Array<[string, Lab, ColourFamily]> = [
  ['white', [94, 0, 1], 'white'],
  ['off white', [91, 0, 6], 'white'],
  ['cream', [89, 0, 16], 'neutral-light'],
  ['beige', [78, 3, 15], 'neutral-light'],
  ['nude', [76, 10, 16], 'neutral-light'],
  ['khaki', [66, 0, 22], 'neutral-light'],
  ['taupe', [52, 4, 9], 'brown'],
  ['tan', [63, 10, 28], 'brown'],
  ['camel', [57, 14, 35], 'brown'],
  ['brown', [42, 10, 18], 'brown'],
  ['dark brown', [25, 7, 9], 'brown'],
  ['rust', [45, 35, 38], 'orange'],
  ['maroon', [32, 30, 10], 'red'],
  ['burgundy', [28, 35, 2], 'red'],
  ['red', [46, 55, 32], 'red'],
  ['coral', [64, 42, 30], 'orange'],
  ['salmon', [72, 28, 20], 'pink'],
  ['pink', [72, 28, 2], 'pink'],
  ['hot pink', [55, 55, -2], 'pink'],
  ['rose', [60, 30, 5], 'pink'],
  ['peach', [82, 12, 20], 'orange'],
  ['orange', [64, 36, 52], 'orange'],
  ['mustard', [66, 8, 55], 'yellow'],
  ['yellow', [86, -3, 55], 'yellow'],
  ['olive', [48, -6, 20], 'green'],
  ['dark green', [30, -20, 8], 'green'],
  ['green', [55, -30, 15], 'green'],
  ['sea green', [60, -35, 10], 'green'],
  ['mint', [85, -15, 6], 'green'],
  ['lime', [80, -30, 60], 'green'],
  ['teal', [45, -22, -10], 'blue'],
  ['turquoise', [70, -30, -12], 'blue'],
  ['sky blue', [75, -6, -22], 'blue'],
  ['light blue', [82, -3, -12], 'blue'],
  ['blue', [48, 4, -26], 'blue'],
  ['royal blue', [33, 22, -52], 'blue'],
  ['navy blue', [24, 2, -11], 'blue'],
  ['purple', [38, 22, -24], 'purple'],
  ['plum', [28, 22, -8], 'purple'],
  ['lavender', [72, 14, -20], 'purple'],
  ['mauve', [58, 17, -6], 'purple'],
  ['magenta', [45, 62, -10], 'pink'],
  ['light grey', [76, 0, 0], 'grey'],
  ['grey', [58, 0, 0], 'grey'],
  ['charcoal', [35, 0, -1], 'grey'],
  ['black', [14, 0, 0], 'black'],
  ['silver', [72, -1, -6], 'metallic'],
  ['gold', [70, 3, 38], 'metallic'],
];

export const COLOUR_NAMES: readonly ColourName[] = TABLE.map(([name, lab, family]) => ({
  name,
  hex: labToHex(lab),
  family,
  lab,
}));

const BY_NAME = new Map(COLOUR_NAMES.map((c) => [c.name, c]));

/** Nearest named colour by CIEDE2000. */
export function nearestColourName(lab: Lab): ColourName {
  let best = COLOUR_NAMES[0]!;
  let bestD = Infinity;
  for (const c of COLOUR_NAMES) {
    const d = deltaE2000(lab, c.lab);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Family of a colour name from the table (undefined for unknown names). */
export function colourFamily(name: string): ColourFamily | undefined {
  return BY_NAME.get(name.toLowerCase())?.family;
}

/** Names that act as neutrals in an outfit (go with everything). */
export const NEUTRAL_NAMES: ReadonlySet<string> = new Set([
  'white', 'off white', 'cream', 'beige', 'nude', 'khaki', 'taupe', 'tan', 'camel',
  'light grey', 'grey', 'charcoal', 'black', 'navy blue', 'silver', 'gold', 'dark brown',
]);
