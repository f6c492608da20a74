/**
 * What can go wrong with a request:
 * - `status5xx`: 503 with the provider's error body
 * - `reset`: the socket is destroyed without an answer
 * - `hang`: no answer until the client goes away
 * - `malformedBody`: HTTP 200 whose body (or stream) is not valid JSON
 * - `malformedJson`: a valid response whose model content is truncated JSON (structured requests only)
 * - `schemaViolation`: valid JSON content that breaks the schema (requests with a schema only)
 * - `cutMidStream`: a streamed answer stops halfway through its events (after at least one) and the
 *   socket is destroyed, as when a connection drops mid-answer; a plain answer is reset like `reset`
 */
export type FaultKind = 'status5xx' | 'reset' | 'hang' | 'malformedBody' | 'malformedJson' | 'schemaViolation' | 'cutMidStream';

/** Per-request probability (0..1) of each fault; together they should not exceed 1. */
export type FaultRates = Partial<Record<FaultKind, number>>;

export const FAULT_KINDS: readonly FaultKind[] = ['status5xx', 'reset', 'hang', 'malformedBody', 'malformedJson', 'schemaViolation', 'cutMidStream'];

/**
 * Maps one uniform roll in [0, 1) to a fault, laying the rates end to end, so one draw per request
 * keeps the sequence of faults reproducible whatever the rates are.
 *
 * @example
 * pickFault(0.05, { reset: 0.1 }); // 'reset'
 * pickFault(0.50, { reset: 0.1 }); // undefined
 */
export function pickFault(roll: number, rates: FaultRates): FaultKind | undefined {
  let threshold = 0;
  for (const kind of FAULT_KINDS) {
    threshold += rates[kind] ?? 0;
    if (roll < threshold) return kind;
  }
  return undefined;
}
