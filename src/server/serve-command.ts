/** `lookbook serve`: the HTTP API and web page over an existing data directory (one or several processes). */
import { Command } from 'commander';
import { openFromCli, parseIntArg, withGlobals, type GlobalOptions } from '../cli/common.ts';
import { jobsDisabledReason, runServeCluster, serveWorkerNumber, warmSimilarIndex, workerLifecycle } from './cluster.ts';

interface ServeOptions extends GlobalOptions {
  host?: string;
  port?: number;
  maxUploadMb?: number;
  workers?: number;
}

export function serveCommand(): Command {
  return withGlobals(new Command('serve'))
    .description('Serve the HTTP API (/docs, /openapi.json) and the web page for a data directory.')
    .option('-H, --host <host>', 'interface to listen on (default 127.0.0.1, or LOOKBOOK_HOST)')
    .option('-p, --port <n>', 'port (default 8080, or LOOKBOOK_PORT; 0 = any free port)', (v) => (v === '0' ? 0 : parseIntArg(v)))
    .option('--max-upload-mb <n>', 'largest accepted upload in MB (default 10)', parseIntArg)
    .option('-w, --workers <n>', 'server processes sharing the port (default 1; e.g. the number of cores). With more than 1, background jobs (POST /api/ingest, /api/jobs/train) are refused: run ingest/train from the CLI', parseIntArg)
    .addHelpText(
      'after',
      '\nSet LOOKBOOK_API_KEY (or apiKey in lookbook.config.json) to require a key for writes.\n\nExamples:\n  lookbook serve -d ./lookbook-data -p 8080\n  lookbook serve -d ./lookbook-data -p 8080 --workers 2\n',
    )
    .action(async (o: ServeOptions) => {
      const workers = o.workers ?? 1;
      const worker = serveWorkerNumber();
      if (workers > 1 && worker === undefined) {
        await runServeCluster(workers, (line) => process.stdout.write(`${line}\n`));
        return;
      }
      const lb = await openFromCli(o);
      const { startServer } = await import('./index.ts');
      let server;
      try {
        if (worker !== undefined) await warmSimilarIndex(lb);
        server = await startServer(lb, {
          host: o.host ?? lb.config.host,
          port: o.port ?? lb.config.port,
          maxUploadBytes: o.maxUploadMb ? o.maxUploadMb * 1024 * 1024 : undefined,
          ...(worker !== undefined ? { workerId: worker, jobsDisabled: jobsDisabledReason(workers) } : {}),
        });
      } catch (e) {
        await lb.close();
        // A worker's IPC channel would keep it alive after the CLI reports the error: let it exit.
        if (worker !== undefined) process.disconnect?.();
        throw e;
      }
      const items = await lb.store.countItems();
      if (worker !== undefined) {
        const addr = server.app.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : 0;
        await workerLifecycle({ type: 'lookbook:ready', worker, url: server.url, port, items });
      } else {
        process.stdout.write(`Lookbook serving ${items} items at ${server.url} (web page), ${server.url}/docs (API)${lb.config.apiKey ? '; writes need the API key' : ''}. Ctrl-C to stop.\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
      }
      await server.close();
      await lb.close();
      if (worker !== undefined) process.exit(0);
    });
}
