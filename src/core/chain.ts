import type { Link, Run } from './run.js';

/**
 * Runs typed links one after another, each in its own child scope named after the link, passing
 * each result to the next. The run's `chain` method; its overloads make the compiler check that
 * each link accepts what the one before returns.
 */
export async function chain(run: Run, input: unknown, links: readonly Link<unknown, unknown>[]): Promise<unknown> {
  let value = input;
  for (const [name, link] of links) {
    const current = value;
    value = await run.group(name, (linkRun) => link(current, linkRun));
  }
  return value;
}
