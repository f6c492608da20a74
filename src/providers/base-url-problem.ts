/**
 * What is wrong with a provider base URL, or undefined when it is usable: an absolute http(s) URL
 * with a host. `localhost:8080` parses as a URL with the scheme `localhost:`, and the SDKs would
 * only fail on the first call, with a message about fetch; this says what to write instead.
 *
 * @example baseUrlProblem('localhost:8080') // 'expected an http:// or https:// URL, e.g. http://localhost:8080'
 */
export function baseUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL: expected an http:// or https:// URL, e.g. http://127.0.0.1:8080/v1';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `expected an http:// or https:// URL, e.g. http://${text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}`;
  }
  if (url.hostname === '') return 'the URL names no host, e.g. http://127.0.0.1:8080/v1';
  return undefined;
}
