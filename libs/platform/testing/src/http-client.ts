/** One answer of the API as tests read it: status, parsed body (`{}` when not JSON), headers and raw text. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** An RFC 9457 problem+json body as every LeadFlow service writes one. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
}

export interface CallOptions {
  /** JSON-encoded unless it is already a string or a Buffer (then sent as is). */
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  /** Another base URL for this one call (e.g. a service's own port instead of the gateway). */
  base?: string;
}

/**
 * A typed JSON client for integration specs, end-to-end specs and benches: one `fetch` per call,
 * a JSON content type when there is a body (unless the call names one), a bearer token, and
 * `problem()` for problem+json answers.
 */
export class ApiClient {
  constructor(
    readonly base: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...options.headers };
    if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(`${options.base ?? this.base}${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string' || Buffer.isBuffer(options.body)
            ? (options.body as string)
            : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    return { status: res.status, body: body as T, headers: res.headers, text };
  }
}

/**
 * The problem+json body of an answer; throws (naming the answer) when the answer is not one, so a
 * spec reading `problem(res).errors` fails on the real cause rather than on `undefined`.
 */
export function problem(answer: Pick<Answer<unknown>, 'status' | 'headers' | 'text'>): Problem {
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(
      `expected a problem+json answer, got ${answer.status} ${type}: ${answer.text.slice(0, 300)}`,
    );
  }
  return JSON.parse(answer.text) as Problem;
}
