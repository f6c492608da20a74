import type { FaqEntry } from '../workflows/faq/faq-schemas.js';

/** A FAQ as readable Markdown. */
export function formatFaqMarkdown(faqs: readonly FaqEntry[], heading = 'FAQ'): string {
  const lines = [`# ${heading}`, ''];
  faqs.forEach((entry, index) => {
    lines.push(`## ${index + 1}. ${entry.question}`, '', entry.answer, '', `*Sources: ${entry.sources.join('; ')}*`, '');
  });
  return lines.join('\n');
}
