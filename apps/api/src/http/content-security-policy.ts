/**
 * The API's content security policy for the pages it serves: everything from the API itself, nothing framed,
 * no base or foreign form targets. Each page names only the script and style sources it needs.
 */
export function contentSecurityPolicy(sources: { script: string; style: string }): string {
  return [
    "default-src 'self'",
    `script-src ${sources.script}`,
    `style-src ${sources.style}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}
