import { Command } from 'commander';
import { LookbookError } from '../../errors.ts';
import { recommend, type RecommendAnswer } from '../../pipelines/recommender-service.ts';
import { filterFromOptions, hintEmptyFilter, openFromCli, parseIntArg, printJson, table, withFilters, withGlobals, type GlobalOptions } from '../common.ts';

export function formatRecommendations(a: RecommendAnswer): string {
  const who = a.query.userId ? `user ${a.query.userId}` : `liked items ${a.query.likedItemIds?.join(', ')}`;
  const head = `Recommendations for ${who} (${a.query.servedAs}; ${a.model.name} v${a.model.version}, ${a.model.model})`;
  const rows = a.results.map((r, i) => [i + 1, r.itemId, r.score.toFixed(3), r.item?.category ?? '', (r.item?.title ?? '').slice(0, 40), r.reasons.join('; ')]);
  return `${head}\n${table(rows, ['#', 'id', 'score', 'category', 'title', 'why'])}\n`;
}

export function recommendCommand(): Command {
  return withFilters(withGlobals(new Command('recommend')))
    .description('Personal recommendations for a user id, or for a new user described by items they like.')
    .option('-u, --user <id>', 'user id (known to the model, or with events recorded since training)')
    .option('--liked <ids...>', 'item ids the user likes (a new user, or extra signal for an unknown one)')
    .option('-k, --top <n>', 'number of results', parseIntArg, 10)
    .option('--keep-seen', 'also return items the user already interacted with')
    .addHelpText('after', '\nExamples:\n  lookbook recommend --user 420272 -k 5\n  lookbook recommend --liked 2260466 1584452 --category dress --json\n')
    .action(async (o: GlobalOptions & Record<string, unknown>) => {
      const user = o.user as string | undefined;
      const liked = o.liked as string[] | undefined;
      if (!user && !liked?.length) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'give --user <id> or --liked <ids...>');
      const lb = await openFromCli(o, { create: false });
      try {
        const filter = filterFromOptions(o as never);
        const answer = await recommend(lb.ctx, user ? { userId: user, likedItemIds: liked } : { likedItemIds: liked! }, {
          k: o.top as number,
          removeSeen: !o.keepSeen,
          filter,
        });
        if (o.json) printJson(answer);
        else {
          process.stdout.write(formatRecommendations(answer));
          await hintEmptyFilter(lb, filter, answer.results.length);
        }
      } finally {
        await lb.close();
      }
    });
}
