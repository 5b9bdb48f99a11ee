/** The API as the page uses it: the bearer token kept for this browser tab only, one error shape. */
const TOKEN_KEY = 'rpm.token';
const EXPIRES_KEY = 'rpm.tokenExpiresAt';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  get token(): string | null {
    const expiresAt = sessionStorage.getItem(EXPIRES_KEY);
    if (!expiresAt || new Date(expiresAt).getTime() <= Date.now()) return null;
    return sessionStorage.getItem(TOKEN_KEY);
  },
  save(token: string, expiresAt: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(EXPIRES_KEY, expiresAt);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(EXPIRES_KEY);
  },
};

/** Nest's error body: {statusCode, message, error}; message may be a list of validation problems. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: string | string[] };
    if (Array.isArray(body.message)) return body.message.join('; ');
    if (body.message) return body.message;
  } catch {
    // not JSON: fall through to the status text
  }
  return response.statusText || `HTTP ${response.status}`;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  if (response.status === 401 && path !== '/auth/login') {
    session.clear();
    location.hash = '#/login';
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Ends the session on the server too, so the token is worthless even if it was copied. */
export async function logOut(): Promise<void> {
  try {
    if (session.token) await api<void>('/auth/logout', { method: 'POST' });
  } finally {
    session.clear();
  }
}

export async function logIn(email: string, password: string): Promise<void> {
  try {
    const { token, expiresAt } = await api<{ token: string; expiresAt: string }>('/auth/login', { method: 'POST', body: { email, password } });
    session.save(token, expiresAt);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new Error('Wrong e-mail or password.');
    if (error instanceof ApiError && error.status === 429) throw new Error('Too many failed sign-ins: wait a few minutes and try again.');
    throw error;
  }
}
