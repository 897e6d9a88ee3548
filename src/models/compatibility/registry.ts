/**
 * Store integration: train from the store's items / features / outfits, save under
 * `<dataDir>/models/compatibility/v<version>/`, register with store.putModel, publish the projected
 * item vectors as the `compatibility-v<version>` space (candidate retrieval), and load the newest.
 */
import path from 'node:path';
import { LookbookError } from '../../errors.ts';
import type { FeatureRecord, Item, ModelRecord } from '../../types.ts';
import type { Store } from '../../store/store.ts';
import { itemsFromFeatures } from './data.ts';
import { CompatibilityModel } from './model.ts';
import { fitCompatibility, type FitOptions } from './train.ts';

export const MODEL_NAME = 'compatibility';
export const compatibilitySpace = (version: number) => `compatibility-v${version}`;

export interface TrainFromStoreOptions extends FitOptions {
  dataDir: string;
  backbone: string;
  /** Item metadata column holding the item type (e.g. des_product_family), or 'category'. */
  categoryColumn: string;
  /** Weight of the colour histogram next to the CNN vector (default 0.5; 0 = CNN only). */
  histogramWeight?: number;
}

/** Every stored item with features, as model inputs. */
export async function storeItemTable(store: Store, backbone: string, categoryColumn: string, histogramWeight: number) {
  const { ids } = await store.allItemVectors(backbone);
  const features = new Map<string, FeatureRecord>();
  const items = new Map<string, Item>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    for (const [k, v] of await store.itemFeatures(chunk, backbone)) features.set(k, v);
    for (const it of await store.getItems(chunk)) items.set(it.id, it);
  }
  const catOf = (id: string) => {
    const it = items.get(id);
    if (!it) return null;
    return categoryColumn === 'category' ? it.category : (it.meta?.[categoryColumn] ?? it.category ?? null);
  };
  return { ...itemsFromFeatures(ids, catOf, features, histogramWeight), features };
}

export async function trainCompatibilityFromStore(store: Store, opts: TrainFromStoreOptions): Promise<{ model: CompatibilityModel; record: ModelRecord; seconds: number }> {
  const histogramWeight = opts.histogramWeight ?? 0.5;
  const { items, histLen, vectorDim } = await storeItemTable(store, opts.backbone, opts.categoryColumn, histogramWeight);
  const outfits = await store.listOutfits();
  if (outfits.length === 0) throw new LookbookError('LB_ERR_DATA_MISSING', 'no outfits in the store: import an outfit file first');
  const { model, seconds } = await fitCompatibility(items, outfits, { ...opts, histLen, vectorDim, histogramWeight });
  const prev = await store.getModel(MODEL_NAME);
  const version = (prev?.version ?? 0) + 1;
  const rel = path.join('models', MODEL_NAME, `v${version}`);
  model.save(path.join(opts.dataDir, rel));
  const record = await store.putModel({
    name: MODEL_NAME, kind: 'compatibility', path: rel, metrics: model.meta.metrics,
    meta: { class: model.meta.class, backbone: opts.backbone, categoryColumn: opts.categoryColumn, categories: model.meta.categories.length },
  });
  if (record.version !== version) {
    throw new LookbookError('LB_ERR_CONFLICT', `another compatibility model (v${record.version}) was registered while training v${version}; files are in ${rel}`);
  }
  await publishVectors(store, model, items.ids, items.categories, items.vectors, record.version);
  return { model, record, seconds };
}

/** Stores the projected vectors of the given items under the model's retrieval space. */
export async function publishVectors(store: Store, model: CompatibilityModel, ids: string[], categories: (string | null)[], inputs: Float32Array, version: number): Promise<void> {
  const E = model.embed(inputs, categories);
  await store.putItemVectors(compatibilitySpace(version), ids, E.f, model.meta.dim);
}

export async function loadCompatibility(store: Store, dataDir: string): Promise<{ model: CompatibilityModel; record: ModelRecord }> {
  const record = await store.getModel(MODEL_NAME);
  if (!record) throw new LookbookError('LB_ERR_MODEL_MISSING', 'no compatibility model yet: train one first (lookbook train compatibility)');
  return { model: CompatibilityModel.load(path.join(dataDir, record.path)), record };
}
