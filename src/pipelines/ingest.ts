/**
 * Ingest: catalogue rows + images → items, CNN features and readable attributes in the store.
 * Incremental by content hash (unchanged bytes are never embedded again), resumable after a kill at any
 * point (each batch of features and item rows is written in one transaction), and a bad image or row is
 * reported with its reason while the rest goes on.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LookbookContext } from '../context.ts';
import { readCatalogue, type ReadCatalogueOptions, type RowProblem } from '../catalog/read.ts';
import { embedMany } from '../embeddings/embedder.ts';
import { extractAttributes } from '../attributes/index.ts';
import { reasonOf } from '../errors.ts';
import { noProgress, type ProgressCallback } from '../logging/index.ts';
import { afterIngest, type PostIngestResult } from './post-ingest.ts';
import type { FeatureRecord, Item } from '../types.ts';

export interface IngestOptions extends ReadCatalogueOptions {
  /** Remove stored items that are absent from this catalogue (default true). */
  prune?: boolean;
  /** Prune even when most of this catalogue failed (by default such a run keeps the stored items). */
  forcePrune?: boolean;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Items written per transaction (default 64). */
  commitEvery?: number;
  /** Write a JSON report under <dataDir>/reports (default true). */
  writeReport?: boolean;
  /** Update learned spaces and style predictions when items changed (default true). */
  updateModels?: boolean;
}

export interface IngestFailure {
  id: string;
  file: string | null;
  reason: string;
}

export interface IngestReport {
  catalogue: string;
  imagesDir: string;
  backbone: string;
  mapping: Record<string, string | undefined>;
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Images that went through the CNN in this run. */
  embedded: number;
  /** Items whose image bytes already had features, or share bytes with an item embedded in this run (no CNN work). */
  reused: number;
  failed: IngestFailure[];
  rowProblems: RowProblem[];
  seconds: number;
  reportFile?: string;
  /** Why stored items absent from the catalogue were kept (a run where most rows or images failed). */
  pruneSkipped?: string;
  /** Learned spaces and style predictions brought up to date after the ingest. */
  models?: PostIngestResult;
}

function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function sameItem(a: Item, b: Item | undefined): boolean {
  if (!b) return false;
  return (
    a.contentHash === b.contentHash &&
    a.imagePath === b.imagePath &&
    a.title === b.title &&
    a.category === b.category &&
    a.colour === b.colour &&
    a.gender === b.gender &&
    a.price === b.price &&
    JSON.stringify(a.meta) === JSON.stringify(b.meta)
  );
}

export async function ingestCatalogue(ctx: LookbookContext, opts: IngestOptions): Promise<IngestReport> {
  const t0 = performance.now();
  const progress = opts.onProgress ?? noProgress;
  const { store } = ctx;
  const backbone = ctx.backboneName;
  progress({ status: 'step', step: 'read catalogue', message: opts.metadata });
  const cat = readCatalogue(opts);
  const existingHashes = await store.itemHashes();
  const existing = new Map((await store.getItems(cat.items.map((i) => i.id))).map((i) => [i.id, i]));

  const report: IngestReport = {
    catalogue: cat.file,
    imagesDir: cat.imagesDir,
    backbone,
    mapping: { ...cat.mapping },
    rows: cat.items.length,
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    embedded: 0,
    reused: 0,
    failed: [],
    rowProblems: cat.problems,
    seconds: 0,
  };

  const commitEvery = opts.commitEvery ?? 64;
  let pendingItems: Item[] = [];
  let pendingFeatures: FeatureRecord[] = [];
  const flush = async () => {
    if (pendingFeatures.length) await store.putFeatures(pendingFeatures);
    if (pendingItems.length) await store.upsertItems(pendingItems);
    pendingFeatures = [];
    pendingItems = [];
  };
  const writeItem = async (item: Item) => {
    const before = existing.get(item.id);
    if (sameItem(item, before)) {
      report.unchanged++;
    } else {
      if (existingHashes.has(item.id)) report.updated++;
      else report.added++;
      pendingItems.push(item);
    }
    if (pendingItems.length + pendingFeatures.length >= commitEvery) await flush();
  };

  /**
   * An item whose image failed: reported, and written without features — unless the store already holds
   * a version of it with a good image, which is kept as it is (a broken or missing file, or the wrong
   * catalogue file, must not destroy what was ingested before).
   */
  const writeFailed = async (item: Item, file: string | null, reason: string) => {
    const before = existing.get(item.id);
    if (before?.contentHash) {
      report.failed.push({ id: item.id, file, reason: `${reason}; the stored version of the item was kept` });
      report.unchanged++;
    } else {
      report.failed.push({ id: item.id, file, reason });
      await writeItem({ ...item, contentHash: null });
    }
  };

  const total = cat.items.length;
  let done = 0;
  const tick = () => {
    done++;
    if (done % 16 === 0 || done === total) progress({ status: 'progress', task: 'ingest', done, total, failed: report.failed.length });
  };
  progress({ status: 'start', task: 'ingest', total, unit: 'items' });

  // Pass 1: hash every image; items whose bytes already have features need no CNN work.
  const needEmbedding = new Map<string, Item[]>(); // content hash → items waiting for it
  const jobs: { key: string; file: string }[] = [];
  const HASH_BATCH = 512;
  for (let start = 0; start < cat.items.length; start += HASH_BATCH) {
    if (opts.signal?.aborted) break;
    const slice = cat.items.slice(start, start + HASH_BATCH);
    const hashed: Item[] = [];
    for (const item of slice) {
      if (!item.imagePath) {
        const wanted = cat.mapping.image ? item.meta[cat.mapping.image] : undefined;
        const lookedFor = wanted ? `"${wanted}"` : `${item.id}.jpg/.png/.webp/…`;
        await writeFailed(item, null, `image file not found: looked for ${lookedFor} in ${cat.imagesDir} (set the image folder with --images)`);
        tick();
        continue;
      }
      try {
        const buf = await fs.promises.readFile(item.imagePath);
        if (buf.length === 0) throw new Error('image file is empty');
        hashed.push({ ...item, contentHash: sha256(buf) });
      } catch (e) {
        await writeFailed(item, item.imagePath, reasonOf(e));
        tick();
      }
    }
    const have = await store.hasFeatures([...new Set(hashed.map((i) => i.contentHash!))], backbone);
    for (const item of hashed) {
      const h = item.contentHash!;
      if (have.has(h)) {
        report.reused++;
        await writeItem(item);
        tick();
      } else if (needEmbedding.has(h)) {
        needEmbedding.get(h)!.push(item); // same bytes as another item: embed once
      } else {
        needEmbedding.set(h, [item]);
        jobs.push({ key: h, file: item.imagePath! });
      }
    }
  }
  await flush();

  // Pass 2: decode + embed what is new, overlapped, committing in batches.
  if (jobs.length > 0 && !opts.signal?.aborted) {
    const embedder = await ctx.embedder();
    const source = (function* () {
      for (const j of jobs) yield { key: j.key, source: j.file };
    })();
    for await (const r of embedMany(embedder, source, { signal: opts.signal, maxPixels: ctx.config.maxPixels })) {
      const items = needEmbedding.get(r.key) ?? [];
      if ('error' in r) {
        for (const item of items) {
          await writeFailed(item, item.imagePath, reasonOf(r.error));
          tick();
        }
        continue;
      }
      if (r.vector) {
        pendingFeatures.push({ contentHash: r.key, backbone, vector: r.vector, attributes: extractAttributes(r.prepared.raster) });
        report.embedded++;
        report.reused += items.length - 1; // other items with the same bytes share this embedding
      }
      for (const item of items) {
        await writeItem(item);
        tick();
      }
    }
  }
  await flush();

  if ((opts.prune ?? true) && !opts.signal?.aborted && opts.limit === undefined) {
    const keep = new Set(cat.items.map((i) => i.id));
    const gone = [...existingHashes.keys()].filter((id) => !keep.has(id));
    // A catalogue where most rows or images failed is more likely the wrong file (or a broken one) than
    // a real change: keep the stored items unless asked to prune anyway.
    const bad = report.failed.length + report.rowProblems.length;
    const mostlyBad = bad * 2 > cat.items.length + report.rowProblems.length;
    if (gone.length && mostlyBad && !opts.forcePrune) {
      report.pruneSkipped = `${gone.length} stored items are absent from this catalogue but were kept: ${bad} of its ${cat.items.length + report.rowProblems.length} rows failed (use --force-prune to remove them anyway)`;
      progress({ status: 'warn', task: 'ingest', message: report.pruneSkipped });
    } else if (gone.length) {
      report.removed = await store.deleteItems(gone);
    }
  }

  const changed = report.added + report.updated + report.removed > 0;
  if (changed && (opts.updateModels ?? true) && !opts.signal?.aborted) {
    report.models = await afterIngest(ctx, { onProgress: progress });
  }
  report.seconds = (performance.now() - t0) / 1000;
  progress({ status: 'done', task: 'ingest', done, total, failed: report.failed.length, seconds: report.seconds });
  if (opts.writeReport ?? true) {
    const dir = path.join(ctx.config.dataDir, 'reports');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2));
    report.reportFile = file;
  }
  return report;
}
