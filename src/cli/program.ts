/** Builds the `lookbook` command tree. Each verb lives in commands/<verb>.ts. */
import { Command } from 'commander';
import { ingestCommand } from './commands/ingest.ts';
import { similarCommand } from './commands/similar.ts';
import { infoCommand } from './commands/info.ts';
import { demoCommand } from './commands/demo.ts';
import { evalCommand } from './commands/eval.ts';
import { trainCommand } from './commands/train.ts';
import { profileCommand, styleCommand } from './commands/style.ts';
import { serveCommand } from '../server/serve-command.ts';
import { outfitCommand, outfitsCommand } from './commands/outfit.ts';
import { recommendCommand } from './commands/recommend.ts';
import { eventsCommand } from './commands/events.ts';
import { workerCommand } from '../workers/worker-command.ts';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('lookbook')
    .description('Lookbook: fashion recommendations from CNN features — similar items, style, outfits, personalization.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)');
  for (const cmd of [
    demoCommand(),
    ingestCommand(),
    workerCommand(),
    serveCommand(),
    similarCommand(),
    styleCommand(),
    profileCommand(),
    outfitsCommand(),
    outfitCommand(),
    eventsCommand(),
    recommendCommand(),
    trainCommand(),
    infoCommand(),
    evalCommand(),
  ]) program.addCommand(cmd);
  return program;
}
