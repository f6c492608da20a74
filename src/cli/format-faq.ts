import type { FaqEntry } from '../workflows/faq/faq-schemas.js';
import { toTerminalText } from './terminal-text.js';

/** A FAQ as readable Markdown, with the model's text made safe for a terminal. */
export function formatFaqMarkdown(faqs: readonly FaqEntry[], heading = 'FAQ'): string {
  const lines = [`# ${heading}`, ''];
  faqs.forEach((entry, index) => {
    lines.push(`## ${index + 1}. ${entry.question}`, '', entry.answer, '', `*Sources: ${entry.sources.join('; ')}*`, '');
  });
  return toTerminalText(lines.join('\n'));
}
