import type { PendingWait } from './wait-journal.js';

/**
 * One line on what a run waits for and how to answer it, e.g.
 * `run r1 waits for "approval" (Refund 120 USD?): braid signal r1 approval '<json>'`.
 * `isKeyNeeded`: other waits of the same name are pending, so the command names the position.
 */
export function describeWait(wait: PendingWait, { isKeyNeeded = false }: { isKeyNeeded?: boolean } = {}): string {
  if (wait.kind === 'sleep') return `run ${wait.runId} sleeps until ${wait.deadline ?? '?'} (${wait.key}); braid resume ${wait.runId} goes on once it is due`;
  // a prompt is the workflow's text: one line, whatever it holds
  const prompt = wait.prompt === undefined ? '' : ` (${wait.prompt.replace(/\s+/g, ' ').trim()})`;
  const deadline = wait.deadline === undefined ? '' : ` until ${wait.deadline}`;
  const key = isKeyNeeded ? ` --key '${wait.key}'` : '';
  return `run ${wait.runId} waits for "${wait.name}"${prompt}${deadline}: braid signal ${wait.runId} ${wait.name} '<json>'${key}`;
}
