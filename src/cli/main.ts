/**
 * CLI entry: parse, run, report. One top-level catch: a LookbookError prints its code and message and
 * exits 1; anything else prints the stack and exits 1; Ctrl-C during a prompt-less run exits 130.
 */
import { CommanderError } from 'commander';
import { isLookbookError } from '../errors.ts';
import { buildProgram } from './program.ts';

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isLookbookError(e)) {
      process.stderr.write(`✖ ${e.code}: ${e.message}${e.subject && !e.message.includes(e.subject) ? ` (${e.subject})` : ''}\n`);
      return 1;
    }
    process.stderr.write(`✖ unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

const code = await main();
// A command may have set a failing exit code itself (e.g. an ingest in which nothing could be ingested).
if (code !== 0 || !process.exitCode) process.exitCode = code;
