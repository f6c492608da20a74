import { valueFingerprint } from '../core/step-fingerprint.js';

/**
 * What makes a run the run it is: its workflow, and the inputs that shape its output (documents,
 * queries, options such as the number of questions), by name. Not the model: a resume on another
 * model is allowed, and re-runs the steps the model made (the journal's version check).
 */
export interface RunIdentity {
  workflow: string;
  input: Record<string, unknown>;
}

/** Short values are kept as they are, so a refusal can say what they were; the rest as a hash. */
const SHOWN_VALUE_LENGTH = 60;

/** Each input part as a short value (`3`, `"parallel"`) or a `sha256:` hash of its JSON. */
export function identityParts(input: Record<string, unknown>): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const shown = typeof value === 'object' && value !== null ? undefined : JSON.stringify(value);
    parts[name] = shown !== undefined && shown.length <= SHOWN_VALUE_LENGTH ? shown : `sha256:${valueFingerprint(value).slice(0, 32)}`;
  }
  return parts;
}

/**
 * What differs between the run as recorded and the run about to start, in words, e.g.
 * `workflow "faq" (this is "route")`, `questions 3 (this is 5)`, `other documents`. Empty when
 * they agree. A run recorded before identities existed agrees with any inputs of its workflow.
 */
export function describeIdentityDifferences(
  recorded: { workflow: string; parts: Record<string, string> | undefined },
  starting: { workflow: string; parts: Record<string, string> },
): string[] {
  if (recorded.workflow !== starting.workflow) return [`workflow "${recorded.workflow}" (this is "${starting.workflow}")`];
  if (!recorded.parts) return [];
  const names = [...new Set([...Object.keys(recorded.parts), ...Object.keys(starting.parts)])].sort();
  const differences: string[] = [];
  for (const name of names) {
    const before = recorded.parts[name];
    const after = starting.parts[name];
    if (before === after) continue;
    const isShown = (value: string | undefined): value is string => value !== undefined && !value.startsWith('sha256:');
    differences.push(isShown(before) && isShown(after) ? `${name} ${before} (this is ${after})` : `other ${name}`);
  }
  return differences;
}
