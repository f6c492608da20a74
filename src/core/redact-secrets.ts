/** The provider keys braid reads from the environment (the providers' `API_KEY_VARIABLES`, and the optional OpenAI-compatible key). */
export const SECRET_VARIABLES: readonly string[] = ['GOOGLE_GENERATIVE_AI_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_COMPATIBLE_API_KEY'];

/** Other variables whose names say they hold a secret; their values are hidden too. */
const SECRET_NAME = /(?:API_KEY|_TOKEN|_SECRET|_PASSWORD)$/i;

/** Shorter values are not hidden: replacing every "abc" in a message would destroy it and hide nothing. */
const MIN_SECRET_LENGTH = 8;

/** `scheme://user:password@`: the password goes, the user stays (it says which account). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi;
/** Keys in query strings (`?key=…`, as Google's URLs carry them) and bearer tokens. */
const QUERY_KEY = /([?&](?:key|api[_-]?key|access[_-]?token|token)=)[^&\s#"']+/gi;
const BEARER_TOKEN = /\b(Bearer\s+)[\w.~+/=-]{8,}/g;

export interface RedactSecretsOptions {
  /** Where the key variables are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Hides secrets in text that is about to be stored or shown (an error, a command line): the value
 * of every key variable braid reads (and of any variable named like `*_API_KEY`, `*_TOKEN`,
 * `*_SECRET`, `*_PASSWORD`), URL passwords (`redis://user:***@host`), `key=` query parameters and
 * bearer tokens. A provider error that echoes the key, or a `--base-url` with credentials, then
 * reaches no journal, trace, OTel status, viewer or `braid runs`.
 *
 * @example
 * redactSecrets('401: bad key sk-live-123456789', { env: { OPENAI_API_KEY: 'sk-live-123456789' } });
 * // '401: bad key [redacted OPENAI_API_KEY]'
 */
export function redactSecrets(text: string, { env = process.env }: RedactSecretsOptions = {}): string {
  let redacted = text;
  // longest first: a key that contains another key's value must go whole
  for (const [name, value] of secretValues(env)) redacted = redacted.split(value).join(`[redacted ${name}]`);
  return redacted.replace(URL_PASSWORD, '$1:***@').replace(QUERY_KEY, '$1***').replace(BEARER_TOKEN, '$1***');
}

/**
 * How long the secret values read from one environment object are reused. Reading `process.env`
 * whole costs tens of microseconds (every value is a call into the C environment), which a batch that
 * prints 100,000 error lines on Ctrl-C cannot pay per line; a key set in the environment is seen
 * within this time.
 */
const SECRETS_REUSE_MS = 250;

const secretsRead = new WeakMap<object, { at: number; values: [string, string][] }>();

function secretValues(env: Readonly<Record<string, string | undefined>>): [string, string][] {
  const now = Date.now();
  const read = secretsRead.get(env);
  if (read !== undefined && now - read.at < SECRETS_REUSE_MS) return read.values;
  const values = readSecretValues(env);
  secretsRead.set(env, { at: now, values });
  return values;
}

function readSecretValues(env: Readonly<Record<string, string | undefined>>): [string, string][] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => {
      const [name, value] = entry;
      return value !== undefined && value.length >= MIN_SECRET_LENGTH && (SECRET_VARIABLES.includes(name) || SECRET_NAME.test(name));
    })
    .sort(([, first], [, second]) => second.length - first.length);
}
