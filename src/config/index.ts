/**
 * One typed configuration object. Precedence: explicit options (CLI flags) > environment (LOOKBOOK_*)
 * > config file (lookbook.config.json in the working directory, or --config) > defaults.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LookbookError } from '../errors.ts';

export const CustomBackboneSchema = z.object({
  /** Path to an ONNX image model. */
  path: z.string(),
  name: z.string().default('custom'),
  inputSize: z.number().int().positive().default(224),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  /** Per-channel mean/std applied to pixels scaled to 0..1. */
  mean: z.tuple([z.number(), z.number(), z.number()]).default([0.485, 0.456, 0.406]),
  std: z.tuple([z.number(), z.number(), z.number()]).default([0.229, 0.224, 0.225]),
  /** Output to use as the embedding (default: the model's first output). */
  output: z.string().optional(),
});

export const ConfigSchema = z.object({
  /** Data directory holding lookbook.db and the index files. */
  dataDir: z.string().default('./lookbook-data'),
  /** Store URL: unset = embedded SQLite in dataDir; postgres://… = PostgreSQL store. */
  storeUrl: z.string().optional(),
  /** A registered backbone name, or a custom ONNX model. */
  backbone: z.union([z.string(), CustomBackboneSchema]).default('mobilenet_v2_140'),
  /** Inference threads per session. */
  threads: z.number().int().positive().default(2),
  batchSize: z.number().int().positive().default(32),
  /** Decoder limits. */
  maxPixels: z.number().int().positive().default(50_000_000),
  maxImageBytes: z.number().int().positive().default(50 * 1024 * 1024),
  /** HTTP server. */
  host: z.string().default('127.0.0.1'),
  port: z.number().int().nonnegative().default(8080),
  apiKey: z.string().optional(),
  logLevel: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
});

export type LookbookConfig = z.infer<typeof ConfigSchema>;
export type LookbookConfigInput = z.input<typeof ConfigSchema>;

const ENV_KEYS: Record<string, keyof LookbookConfig> = {
  LOOKBOOK_DATA_DIR: 'dataDir',
  LOOKBOOK_STORE_URL: 'storeUrl',
  LOOKBOOK_BACKBONE: 'backbone',
  LOOKBOOK_THREADS: 'threads',
  LOOKBOOK_BATCH_SIZE: 'batchSize',
  LOOKBOOK_MAX_PIXELS: 'maxPixels',
  LOOKBOOK_HOST: 'host',
  LOOKBOOK_PORT: 'port',
  LOOKBOOK_API_KEY: 'apiKey',
  LOOKBOOK_LOG_LEVEL: 'logLevel',
};
const NUMERIC = new Set<keyof LookbookConfig>(['threads', 'batchSize', 'maxPixels', 'port']);

function fromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof LookbookConfig, unknown>> {
  const out: Partial<Record<keyof LookbookConfig, unknown>> = {};
  for (const [envKey, key] of Object.entries(ENV_KEYS)) {
    const v = env[envKey];
    if (v === undefined || v === '') continue;
    out[key] = NUMERIC.has(key) ? Number(v) : v;
  }
  if (!out.storeUrl && env.DATABASE_URL?.startsWith('postgres')) out.storeUrl = env.DATABASE_URL;
  return out;
}

function fromFile(file: string | undefined, cwd: string): Record<string, unknown> {
  const p = file ? path.resolve(cwd, file) : path.join(cwd, 'lookbook.config.json');
  if (!fs.existsSync(p)) {
    if (file) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `config file not found: ${p}`, { subject: p });
    return {};
  }
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `config file is not valid JSON: ${p}`, { subject: p, cause: e });
  }
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Resolves the configuration from flags, environment, file and defaults (in that order of precedence). */
export function loadConfig(
  flags: Partial<LookbookConfigInput> & { config?: string } = {},
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): LookbookConfig {
  const cwd = opts.cwd ?? process.cwd();
  const { config: configFile, ...rest } = flags;
  const merged = {
    ...fromFile(configFile, cwd),
    ...dropUndefined(fromEnv(opts.env ?? process.env)),
    ...dropUndefined(rest as Record<string, unknown>),
  };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `invalid configuration: ${msg}`);
  }
  return { ...parsed.data, dataDir: path.resolve(cwd, parsed.data.dataDir) };
}
