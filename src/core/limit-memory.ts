/** Where a learned limit came from. */
export type LimitSource = 'headers' | '429 body' | '429 rate';

/** What braid learned about one budget (requests or tokens) of a provider + model. */
export interface LearnedBudget {
  /** The limit per window (a minute, unless `windowMs` is scaled) that the provider stated. */
  perWindow?: number;
  /** The provider's window for `perWindow`, when its headers showed it shorter than a minute. */
  windowMs?: number;
  /** The rate measured from 429s (the provider stated none, or still refused under it): what has held without a 429. */
  perSecond?: number;
  /** Where `perWindow` came from; `'429 rate'` when only `perSecond` is known. */
  source: LimitSource;
  /** What said it: the header family or the quota's name. */
  detail?: string;
  /** ISO time of the last change. */
  learnedAt: string;
}

/** Everything learned about one provider + model. */
export interface LearnedLimits {
  requests?: LearnedBudget;
  tokens?: LearnedBudget;
  /** The last per-day (or billing) quota that ran out; shown by `braid limits`, never enforced from here. */
  exhaustedQuota?: { name: string; limit?: number; unit: 'requests' | 'tokens'; at: string; resetsAt?: string };
}

/**
 * Keeps learned limits between runs, per `provider:model`, so the next run starts at the learned
 * pace. The CLI keeps them in a file in braid's data directory; workers keep them in Redis.
 */
export interface LimitMemory {
  recall(modelKey: string): LearnedLimits | undefined;
  remember(modelKey: string, limits: LearnedLimits): void;
}
