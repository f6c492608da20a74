import type { SeededRandom } from './seeded-random.js';

const WORDS = [
  'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do',
  'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua', 'enim',
  'ad', 'minim', 'veniam', 'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris', 'nisi', 'aliquip',
  'ex', 'ea', 'commodo', 'consequat', 'duis', 'aute', 'irure', 'in', 'reprehenderit', 'voluptate',
  'velit', 'esse', 'cillum', 'fugiat', 'nulla', 'pariatur', 'excepteur', 'sint', 'occaecat', 'cupidatat',
  'non', 'proident', 'sunt', 'culpa', 'qui', 'officia', 'deserunt', 'mollit', 'anim', 'id', 'est', 'laborum',
] as const;

/** One lorem-style word. */
export function loremWord(random: SeededRandom): string {
  return random.pick(WORDS);
}

/** `count` lorem-style words joined by spaces. */
export function loremWords(random: SeededRandom, count: number): string {
  return Array.from({ length: count }, () => loremWord(random)).join(' ');
}

/** A short capitalised sentence of 6–12 words ending in a full stop: the fake's free-text answer. */
export function loremSentence(random: SeededRandom): string {
  const words = loremWords(random, random.integer(6, 12));
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}
