/**
 * A real PostgreSQL (PGlite: Postgres compiled to WASM) with pgvector, served over the wire protocol on
 * 127.0.0.1 and a free port, for tests and benchmarks of the PostgreSQL store. Nothing to install.
 *
 * PGlite has a single backend session. @electric-sql/pglite-socket multiplexes connections onto it at the
 * granularity of one protocol message, which lets the Parse/Bind/Execute messages of two clients interleave
 * (and overwrite each other's unnamed statement). This helper therefore gives PGLiteSocketHandler its own
 * queue: once a connection starts a message sequence, only that connection is served until its Sync (or
 * simple Query) has run and no transaction is open. Concurrency is thus serialised, never mixed: a
 * transaction of one client blocks the others until it ends, exactly one statement runs at a time.
 */
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';

export interface PgliteServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  db: PGlite;
  stop(): Promise<void>;
}

export interface PgliteServerOptions {
  /** Directory for the database files (default: in memory). */
  dataDir?: string;
  /** Maximum client connections (default 16). */
  maxConnections?: number;
  /** Extra PGlite options, e.g. { initialMemory } for large benchmarks. */
  pgliteOptions?: Record<string, unknown>;
}

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (n: number) => void;
  reject: (e: unknown) => void;
}

/** Serialises whole message sequences per connection on the single PGlite session. */
class SessionQueue {
  readonly #db: PGlite;
  #queue: Pending[] = [];
  #processing = false;
  /** The connection currently holding the session (mid-sequence or in a transaction). */
  #owner: number | null = null;

  constructor(db: PGlite) {
    this.#db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#process();
    });
  }

  async #process(): Promise<void> {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#queue.length > 0) {
        const idx = this.#owner === null ? 0 : this.#queue.findIndex((p) => p.handlerId === this.#owner);
        if (idx === -1) break; // the owner has not sent its next message yet
        const job = this.#queue.splice(idx, 1)[0];
        let bytes = 0;
        try {
          await this.#db.runExclusive(() =>
            this.#db.execProtocolRawStream(job.message, {
              onRawData: (d: Uint8Array) => {
                bytes += d.length;
                job.onData(d);
              },
            }),
          );
        } catch (e) {
          this.#owner = null;
          job.reject(e);
          continue;
        }
        // Message type: first byte, except for the startup message (length first, no type).
        const m = job.message;
        const startup = m.length >= 8 && new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(4) === 196608;
        const type = startup ? 0 : m[0];
        const endsSequence = type === 0 || type === 0x53 /* S Sync */ || type === 0x51 /* Q Query */ || type === 0x58; /* X */
        this.#owner = endsSequence && !this.#db.isInTransaction() ? null : job.handlerId;
        job.resolve(bytes);
      }
    } finally {
      this.#processing = false;
    }
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#queue = this.#queue.filter((p) => {
      if (p.handlerId !== handlerId) return true;
      p.reject(new Error('Handler disconnected'));
      return false;
    });
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return;
    if (this.#db.isInTransaction()) await this.#db.exec('ROLLBACK');
    this.#owner = null;
    await this.#process();
  }
}

/** Starts PGlite (with the vector extension created) behind a TCP server on 127.0.0.1:<free port>. */
export async function startPgliteServer(opts: PgliteServerOptions = {}): Promise<PgliteServer> {
  const db = await PGlite.create({ dataDir: opts.dataDir, extensions: { vector }, ...(opts.pgliteOptions ?? {}) });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  const queue = new SessionQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const maxConnections = opts.maxConnections ?? 16;
  const server = net.createServer((socket) => {
    if (handlers.size >= maxConnections) {
      socket.end('Too many connections\n');
      return;
    }
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    const drop = () => handlers.delete(handler);
    handler.addEventListener('close', drop);
    handler.addEventListener('error', drop);
    handler.attach(socket).catch(() => {
      drop();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    db,
    async stop() {
      for (const h of handlers) await h.detach(true).catch(() => undefined);
      handlers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
