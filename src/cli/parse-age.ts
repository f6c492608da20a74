import { InvalidArgumentError } from 'commander';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/**
 * An age flag (`--older-than 30d`) in milliseconds: a whole number and a unit, m(inutes), h(ours),
 * d(ays) or w(eeks).
 *
 * @example
 * parseAge('30d'); // 2_592_000_000
 */
export function parseAge(text: string): number {
  const match = /^(\d+)\s*([mhdw])$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`expected an age such as 30d, 12h, 90m or 2w, got "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase() as keyof typeof UNIT_MS];
}
