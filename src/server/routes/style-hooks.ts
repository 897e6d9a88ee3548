/** Style of an uploaded photo, when a style model exists (used by POST /api/similar). */
import { extractAttributes } from '../../attributes/index.ts';
import type { Lookbook } from '../../lookbook.ts';
import { predictStyle, styleModelName, type StylePrediction } from '../../pipelines/style.ts';

export const DEFAULT_STYLE_COLUMN = 'usage';

/** Style classes of an uploaded image, or undefined when no style model is trained. */
export async function styleOfUpload(lb: Lookbook, image: Buffer, maxPixels: number, column = DEFAULT_STYLE_COLUMN): Promise<StylePrediction | undefined> {
  if (!(await lb.store.getModel(styleModelName(column)))) return undefined;
  const embedder = await lb.ctx.embedder();
  const { prepared, vector } = await embedder.embedImage(image, { maxPixels });
  return predictStyle(lb.ctx, { vector, attributes: extractAttributes(prepared.raster) }, { column });
}
