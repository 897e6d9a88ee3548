/** `lookbook serve`: the HTTP API and web page over an existing data directory. */
import { Command } from 'commander';
import { openFromCli, parseIntArg, withGlobals, type GlobalOptions } from '../cli/common.ts';

interface ServeOptions extends GlobalOptions {
  host?: string;
  port?: number;
  maxUploadMb?: number;
}

export function serveCommand(): Command {
  return withGlobals(new Command('serve'))
    .description('Serve the HTTP API (/docs, /openapi.json) and the web page for a data directory.')
    .option('-H, --host <host>', 'interface to listen on (default 127.0.0.1, or LOOKBOOK_HOST)')
    .option('-p, --port <n>', 'port (default 8080, or LOOKBOOK_PORT; 0 = any free port)', (v) => (v === '0' ? 0 : parseIntArg(v)))
    .option('--max-upload-mb <n>', 'largest accepted upload in MB (default 10)', parseIntArg)
    .addHelpText('after', '\nSet LOOKBOOK_API_KEY (or apiKey in lookbook.config.json) to require a key for writes.\n\nExample:\n  lookbook serve -d ./lookbook-data -p 8080\n')
    .action(async (o: ServeOptions) => {
      const lb = await openFromCli(o);
      const { startServer } = await import('./index.ts');
      let server;
      try {
        server = await startServer(lb, {
          host: o.host ?? lb.config.host,
          port: o.port ?? lb.config.port,
          maxUploadBytes: o.maxUploadMb ? o.maxUploadMb * 1024 * 1024 : undefined,
        });
      } catch (e) {
        await lb.close();
        throw e;
      }
      process.stdout.write(`Lookbook serving ${await lb.store.countItems()} items at ${server.url} (web page), ${server.url}/docs (API)${lb.config.apiKey ? '; writes need the API key' : ''}. Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
      await lb.close();
    });
}
