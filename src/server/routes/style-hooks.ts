/** Style of an uploaded photo, when a style model exists (used by POST /api/similar). */
import type { EmbeddedImage } from '../../pipelines/similar.ts';
import type { Lookbook } from '../../lookbook.ts';
import { predictStyle, styleModelName, type StylePrediction } from '../../pipelines/style.ts';

export const DEFAULT_STYLE_COLUMN = 'usage';

/** Style classes of an uploaded image already run through the CNN, or undefined when no style model is trained. */
export async function styleOfUpload(lb: Lookbook, image: EmbeddedImage, column = DEFAULT_STYLE_COLUMN): Promise<StylePrediction | undefined> {
  if (!(await lb.store.getModel(styleModelName(column)))) return undefined;
  return predictStyle(lb.ctx, { vector: image.vector, attributes: image.attributes }, { column });
}
