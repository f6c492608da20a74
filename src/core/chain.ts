import { group } from './scope.js';

/** One link of a chain: takes the previous link's typed result. */
export type Link<Input, Output> = (input: Input) => Promise<Output>;

/**
 * Composes steps that pass typed results forward, each recorded as its own group in the trace.
 * The compiler checks that each link accepts what the one before returns.
 *
 * @example
 * const faq = chain(
 *   ['questions', (docs: Doc[]) => generateQuestions(docs)],
 *   ['answers', (questions) => answerAll(questions)],
 * );
 * const result = await faq(docs);
 */
export function chain<A, B>(first: readonly [string, Link<A, B>]): Link<A, B>;
export function chain<A, B, C>(first: readonly [string, Link<A, B>], second: readonly [string, Link<B, C>]): Link<A, C>;
export function chain<A, B, C, D>(
  first: readonly [string, Link<A, B>],
  second: readonly [string, Link<B, C>],
  third: readonly [string, Link<C, D>],
): Link<A, D>;
export function chain<A, B, C, D, E>(
  first: readonly [string, Link<A, B>],
  second: readonly [string, Link<B, C>],
  third: readonly [string, Link<C, D>],
  fourth: readonly [string, Link<D, E>],
): Link<A, E>;
export function chain(...links: readonly (readonly [string, Link<unknown, unknown>])[]): Link<unknown, unknown> {
  return async (input) => {
    let value = input;
    for (const [name, link] of links) {
      const current = value;
      value = await group(name, () => link(current));
    }
    return value;
  };
}
