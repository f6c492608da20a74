import type { Span } from '../core/span.js';

/**
 * The spans of one part of a run, for a timeline of just that part (an eval's case or trial): the
 * spans at `path` and under it, their attempts, the groups that lead to it (so rows keep their
 * names), and the run span. Keys are position paths, so "under" is a path prefix. O(spans).
 */
export function spansInScope(spans: readonly Span[], path: string): Span[] {
  const isInside = (key: string | undefined): boolean => key !== undefined && (key === path || key.startsWith(`${path}/`));
  const isAncestor = (key: string | undefined): boolean => key !== undefined && key !== '' && path.startsWith(`${key}/`);
  const kept = new Set(spans.filter((span) => span.kind === 'run' || isInside(span.key) || (span.kind === 'group' && isAncestor(span.key))).map((span) => span.id));
  // attempts carry no key: they come with their step
  return spans.filter((span) => kept.has(span.id) || (span.kind === 'attempt' && span.parentId !== undefined && kept.has(span.parentId)));
}
