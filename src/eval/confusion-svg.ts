/**
 * A confusion matrix as a self-contained SVG (rows = true class, columns = predicted class; cell colour =
 * row-normalised share, text = count). sharp can rasterise it: sharp(Buffer.from(svg)).png().
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function confusionSvg(matrix: number[][], classes: string[], opts: { title?: string; cell?: number } = {}): string {
  const n = classes.length;
  const cell = opts.cell ?? 56;
  const labelW = 8 + Math.max(...classes.map((c) => c.length)) * 7.5;
  const top = (opts.title ? 34 : 10) + labelW;
  const left = labelW + 24;
  const width = left + n * cell + 16;
  const height = top + n * cell + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  if (opts.title) parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  parts.push(`<text x="${left + (n * cell) / 2}" y="${height - 8}" text-anchor="middle" fill="#444">predicted</text>`);
  parts.push(`<text transform="translate(12 ${top + (n * cell) / 2}) rotate(-90)" text-anchor="middle" fill="#444">true</text>`);
  for (let j = 0; j < n; j++) {
    const x = left + j * cell + cell / 2;
    parts.push(`<text transform="translate(${x + 4} ${top - 6}) rotate(-60)" text-anchor="start">${esc(classes[j]!)}</text>`);
  }
  for (let i = 0; i < n; i++) {
    const row = matrix[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    const y = top + i * cell;
    parts.push(`<text x="${left - 6}" y="${y + cell / 2 + 4}" text-anchor="end">${esc(classes[i]!)}</text>`);
    for (let j = 0; j < n; j++) {
      const v = row[j] ?? 0;
      const share = total > 0 ? v / total : 0;
      // White → blue ramp on the row share.
      const r = Math.round(255 - share * (255 - 31));
      const g = Math.round(255 - share * (255 - 78));
      const b = Math.round(255 - share * (255 - 160));
      const x = left + j * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#ddd"/>`);
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.5 ? '#fff' : '#222'}">${v}</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
