/**
 * Which rules a job's outcome falls under.
 *
 * @remarks
 * Pure. Job ids match `jobs` globs: `*` is any run of characters (`:` included, so `orders:*`
 * is every job of plugin `orders` and `*` every job), `?` one character, everything else itself;
 * case-sensitive, whole id. When `owners` is set the job's owner must be one of them too.
 */
import type { NotifyOutcome, RuleConfig } from './config.js';

/** A rule ready to be matched against job outcomes. */
export interface CompiledRule {
  /** Position in `rules` (from 0). */
  readonly index: number;
  /** The rule's `name`, or `rule-<index + 1>`. */
  readonly name: string;
  readonly channels: readonly string[];
  readonly windowMs: number;
  readonly recovery: boolean;
  /** Outcomes this rule counts as failures. */
  readonly outcomes: ReadonlySet<NotifyOutcome>;
  /** True when this rule counts `outcome` of job `jobId` owned by `owner` as a failure. */
  matchesFailure(jobId: string, owner: string, outcome: NotifyOutcome): boolean;
}

/** Turns a job id glob into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/**
 * Compiles validated rules.
 *
 * @param allChannels - Every channel name, for rules that name none.
 */
export function compileRules(rules: readonly RuleConfig[], allChannels: readonly string[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const patterns = rule.jobs.map(globToRegExp);
    const everyJob = rule.jobs.includes('*');
    const owners = rule.owners === undefined ? undefined : new Set(rule.owners);
    const outcomes: ReadonlySet<NotifyOutcome> = new Set(rule.outcomes);
    const matchesJob = (jobId: string, owner: string): boolean =>
      (owners === undefined || owners.has(owner)) && (everyJob || patterns.some((p) => p.test(jobId)));
    return {
      index,
      name: rule.name ?? `rule-${index + 1}`,
      channels: [...new Set(rule.channels ?? allChannels)],
      windowMs: rule.window,
      recovery: rule.recovery,
      outcomes,
      matchesFailure: (jobId, owner, outcome) => outcomes.has(outcome) && matchesJob(jobId, owner),
    };
  });
}
