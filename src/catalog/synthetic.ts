/**
 * A small catalogue the project makes itself (for the demo on a machine without data): simple garment
 * silhouettes in named colours and patterns, drawn as SVG and rendered to JPEG with sharp, plus a CSV.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const COLOURS: [string, string][] = [
  ['Red', '#c0262d'], ['Navy Blue', '#1f2a52'], ['Black', '#151515'], ['Green', '#2e7d32'],
  ['Yellow', '#f2c230'], ['Pink', '#e88fb0'], ['Beige', '#d8c3a0'], ['Grey', '#8a8a8a'],
];
const PATTERNS = ['solid', 'striped', 'dotted'] as const;
const SINGULAR: Record<string, string> = { Tshirts: 't-shirt', Trousers: 'trousers', Dresses: 'dress', Shoes: 'shoe', Handbags: 'handbag' };

const SHAPES: Record<string, { path: string; gender: string; price: [number, number] }> = {
  Tshirts: { path: 'M60 40 L100 25 L140 25 L180 40 L205 85 L175 100 L165 80 L165 215 L75 215 L75 80 L65 100 L35 85 Z', gender: 'Unisex', price: [9, 30] },
  Trousers: { path: 'M75 20 L165 20 L175 225 L135 225 L120 90 L105 225 L65 225 Z', gender: 'Men', price: [25, 80] },
  Dresses: { path: 'M95 20 L145 20 L150 70 L195 225 L45 225 L90 70 Z', gender: 'Women', price: [30, 120] },
  Shoes: { path: 'M30 150 L110 140 L150 105 L185 110 L210 160 L210 185 L30 185 Z', gender: 'Unisex', price: [35, 150] },
  Handbags: { path: 'M55 95 L185 95 L200 215 L40 215 Z M90 95 Q120 35 150 95 L140 95 Q120 55 100 95 Z', gender: 'Women', price: [20, 200] },
};

function patternDef(kind: (typeof PATTERNS)[number], colour: string): { defs: string; fill: string } {
  if (kind === 'solid') return { defs: '', fill: colour };
  if (kind === 'striped') {
    return {
      defs: `<pattern id="p" width="24" height="24" patternUnits="userSpaceOnUse"><rect width="24" height="24" fill="${colour}"/><rect width="24" height="9" fill="#f4f4f4"/></pattern>`,
      fill: 'url(#p)',
    };
  }
  return {
    defs: `<pattern id="p" width="22" height="22" patternUnits="userSpaceOnUse"><rect width="22" height="22" fill="${colour}"/><circle cx="11" cy="11" r="4" fill="#f4f4f4"/></pattern>`,
    fill: 'url(#p)',
  };
}

/** Writes <dir>/catalogue.csv and <dir>/images/*.jpg (idempotent); returns the CSV path. */
export async function makeSyntheticCatalogue(dir: string, opts: { variants?: number } = {}): Promise<string> {
  const csv = path.join(dir, 'catalogue.csv');
  if (fs.existsSync(csv)) return csv;
  const imgDir = path.join(dir, 'images');
  fs.mkdirSync(imgDir, { recursive: true });
  const rows = ['id,title,category,colour,pattern,gender,price,image'];
  let n = 0;
  const variants = opts.variants ?? 2;
  for (const [category, shape] of Object.entries(SHAPES)) {
    for (const [colourName, hex] of COLOURS) {
      for (const pattern of PATTERNS) {
        for (let v = 0; v < variants; v++) {
          n++;
          const id = `demo-${String(n).padStart(4, '0')}`;
          const { defs, fill } = patternDef(pattern, hex);
          const scale = 0.85 + 0.15 * v;
          const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240"><defs>${defs}</defs><rect width="240" height="240" fill="#ffffff"/><g transform="translate(${120 - 120 * scale} ${120 - 120 * scale}) scale(${scale})"><path d="${shape.path}" fill="${fill}" stroke="#00000022" stroke-width="2"/></g></svg>`;
          const file = `${id}.jpg`;
          await sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toFile(path.join(imgDir, file));
          const price = (shape.price[0] + ((n * 37) % (shape.price[1] - shape.price[0]))).toFixed(2);
          const title = `${colourName} ${pattern} ${SINGULAR[category] ?? category.toLowerCase()}`;
          rows.push([id, title, category, colourName, pattern, shape.gender, price, file].join(','));
        }
      }
    }
  }
  fs.writeFileSync(`${csv}.tmp`, `${rows.join('\n')}\n`);
  fs.renameSync(`${csv}.tmp`, csv);
  return csv;
}
