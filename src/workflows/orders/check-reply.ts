/**
 * Checks a written reply against what really happened: every identifier (RMA, case, invoice,
 * order, SKU, tracking number, date) and every amount of money in it must appear in the facts, and
 * every record the reply must mention (an RMA issued, an invoice refused) must be in it.
 */

/** What a reply got wrong; both empty when it may be sent. */
export interface ReplyProblems {
  /** Identifiers and amounts in the reply that no fact holds, as the reply wrote them. */
  invented: string[];
  /** Things the facts say the reply must tell the customer, and it does not. */
  omitted: string[];
}

export interface ReplyFacts {
  /** Every text the reply may draw on: the workers' summaries, their records as JSON, the customer's name. */
  texts: readonly string[];
  /** Amounts the records hold, in cents (prices, invoice totals), besides those written in `texts`. */
  amountsCents: readonly number[];
  /** What the reply must name: identifiers (matched whole) and product names (matched ignoring case and spaces). */
  mustMention: readonly string[];
}

/**
 * Money as people write it: `$5,000`, `$249.99`, `USD 12`, `12.50 dollars`, `€30`, `$5k`. The
 * amount is compared in cents; the currency is not (the shop's records are all in one currency).
 */
const MONEY = new RegExp(
  [
    String.raw`(?:US\s?\$|\$|€|£|\b(?:USD|EUR|GBP)\s?)(?<before>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<beforeCents>\d{1,2}))?(?:\s?(?<scale>k|thousand|m|million)\b)?`,
    String.raw`\b(?<after>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<afterCents>\d{1,2}))?\s?(?:USD|EUR|GBP|dollars?|euros?|pounds?)\b`,
  ].join('|'),
  'giu',
);

/**
 * Identifiers: letters, a dash and at least three digits (`RMA-000001`, `INV-7890`, `A-12345`,
 * `SW-5000`), or any word holding five digits or more (tracking numbers, dates, references).
 */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}-]*[\p{L}\p{N}]|[\p{N}]/gu;
const PREFIXED_ID = /^\p{L}{1,8}-\d{3,}$/u;

function isIdentifier(word: string): boolean {
  return PREFIXED_ID.test(word) || (word.match(/\d/g)?.length ?? 0) >= 5;
}

/**
 * The amounts of money written in a text, in cents.
 *
 * @example
 * moneyIn('a refund of $5,000 and USD 12.5'); // [500000, 1250]
 */
export function moneyIn(text: string): { text: string; cents: number }[] {
  return [...text.matchAll(MONEY)].map((match) => {
    const groups = match.groups ?? {};
    const whole = Number((groups.before ?? groups.after ?? '0').replaceAll(',', ''));
    const fraction = groups.beforeCents ?? groups.afterCents ?? '';
    const scale = { k: 1_000, thousand: 1_000, m: 1_000_000, million: 1_000_000 }[groups.scale?.toLowerCase() ?? ''] ?? 1;
    const cents = Math.round((whole + Number(`0.${fraction || '0'}`)) * scale * 100);
    return { text: match[0].trim(), cents };
  });
}

/** The identifiers written in a text, as written, without the amounts of money (whose digits are not ids). */
export function identifiersIn(text: string): string[] {
  const withoutMoney = text.replace(MONEY, ' ');
  return [...withoutMoney.matchAll(WORD)].map((match) => match[0]).filter(isIdentifier);
}

/**
 * Lists what a reply invents and what it leaves out. Identifiers compare ignoring case; amounts
 * compare in cents.
 *
 * @example
 * checkReply('Your refund of $5,000 is approved (RMA-999999).', { texts: ['No invoice "INV-1" exists.'], amountsCents: [], mustMention: ['INV-1'] });
 * // { invented: ['$5,000', 'RMA-999999'], omitted: ['INV-1'] }
 */
export function checkReply(reply: string, { texts, amountsCents, mustMention }: ReplyFacts): ReplyProblems {
  const factText = texts.join('\n');
  const knownCents = new Set([...amountsCents, ...moneyIn(factText).map((amount) => amount.cents)]);
  const invented = [
    ...moneyIn(reply)
      .filter((amount) => !knownCents.has(amount.cents))
      .map((amount) => amount.text),
    ...identifiersIn(reply).filter((id) => !occursIn(factText, id)),
  ];
  const replyIds = new Set(identifiersIn(reply).map((id) => id.toLowerCase()));
  const replyLetters = compact(reply);
  const omitted = mustMention.filter((thing) =>
    isIdentifier(thing) ? !replyIds.has(thing.toLowerCase()) : !replyLetters.includes(compact(thing)),
  );
  return { invented: unique(invented), omitted: unique(omitted) };
}

/**
 * Whether `id` is written in `text` as a whole identifier: not inside a longer one (`RMA-00000` is
 * not in `RMA-000001`), though a date may run into a time (`2025-06-01` is in `2025-06-01T12:00:00Z`).
 */
function occursIn(text: string, id: string): boolean {
  const haystack = text.toLowerCase();
  const needle = id.toLowerCase();
  for (let index = haystack.indexOf(needle); index !== -1; index = haystack.indexOf(needle, index + 1)) {
    const before = haystack[index - 1] ?? ' ';
    const after = haystack[index + needle.length] ?? ' ';
    const endsWithDigit = /\d$/u.test(needle);
    if (!/[\p{L}\p{N}-]/u.test(before) && !(endsWithDigit ? /[\p{N}]/u : /[\p{L}\p{N}]/u).test(after)) return true;
  }
  return false;
}

/** Lower case with every space removed, as the store matches product names ("superwidget5000" is "SuperWidget 5000"). */
function compact(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
