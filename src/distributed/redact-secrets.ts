/** Shorter values are not keys, and masking them would garble ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * `text` with every occurrence of each secret replaced by `***`: for error messages that leave the
 * process (a failed job's reason and stack are stored in Redis), when a provider echoes the key.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) redacted = redacted.split(secret).join('***');
  }
  return redacted;
}
