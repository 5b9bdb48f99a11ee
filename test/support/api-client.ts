/** A doctor's HTTP session against the API, as a browser or script would hold one. */
export class ApiClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  static anonymous(baseUrl: string): ApiClient {
    return new ApiClient(baseUrl);
  }

  static async login(baseUrl: string, email: string, password: string): Promise<ApiClient> {
    const response = await fetch(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login failed with ${response.status}: ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    return new ApiClient(baseUrl, token);
  }

  /** The Authorization header value, for requests this client does not make itself (a stream, say). */
  get authorization(): string {
    return `Bearer ${this.token}`;
  }

  get<T = unknown>(path: string): Promise<{ status: number; body: T }> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<{ status: number; body: T }> {
    return this.request<T>('POST', path, body);
  }

  patch<T = unknown>(path: string, body: unknown = {}): Promise<{ status: number; body: T }> {
    return this.request<T>('PATCH', path, body);
  }

  put<T = unknown>(path: string, body: unknown = {}): Promise<{ status: number; body: T }> {
    return this.request<T>('PUT', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as T };
  }
}
