// Routes are relative, as locust-ui's are, so that --web-base-path works: they
// resolve against the page's own address, or against window.baseUrl when a page
// served from elsewhere points at the API.

/** The http(s) address of a server route such as "llm/points". */
export function apiUrl(path: string, location: string, baseUrl?: string): string {
  if (!baseUrl) {
    return new URL(path, location).toString();
  }
  const base = new URL(baseUrl, location);
  if (!base.pathname.endsWith('/')) {
    base.pathname += '/';
  }
  return new URL(path, base).toString();
}

/** The ws(s) address of a websocket route such as "ws/llm". */
export function socketUrl(path: string, location: string, baseUrl?: string): string {
  const url = new URL(apiUrl(path, location, baseUrl));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The polling address for everything after sequence number since. */
export function pointsUrl(pointsBase: string, since: number): string {
  const url = new URL(pointsBase);
  url.searchParams.set('since', String(since));
  return url.toString();
}
