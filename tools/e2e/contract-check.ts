import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The e2e suite's traffic checked against the contract the gateway serves (`/docs/openapi.json`):
 * every answer of a documented route must have a documented status, content type and, for JSON,
 * a body its schema accepts. The gateway's operational paths (`/healthz`, `/readyz`, `/docs`,
 * `/metrics`) are not part of the public contract; an unknown path must answer 404 problem+json.
 */
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

const OPERATIONAL = /^\/(healthz|readyz|metrics|docs)(\/|$)|^\/openapi\.json$/;

export class ContractCheck {
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly routes: { method: string; template: string; pattern: RegExp; statics: number }[] = [];
  readonly violations: string[] = [];
  checked = 0;

  constructor(private readonly document: Document) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema(document as object, 'contract');
    for (const [template, item] of Object.entries(document.paths))
      for (const method of Object.keys(item)) {
        const segments = template.split('/');
        this.routes.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(
            `^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`,
          ),
          statics: segments.filter((s) => !s.startsWith('{')).length,
        });
      }
    // the most specific template first (`/leads/search` before `/leads/{id}`)
    this.routes.sort((a, b) => b.statics - a.statics);
  }

  /** Records a violation when the answer is not one the document describes. */
  check(method: string, path: string, status: number, contentType: string, body: string): void {
    if (OPERATIONAL.test(path)) return;
    this.checked++;
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    const where = `${method} ${path} → ${status}`;
    if (!route) {
      if (status !== 404 && status !== 405 && status !== 400)
        this.violations.push(`${where}: no operation in the contract`);
      else if (!contentType.startsWith('application/problem+json'))
        this.violations.push(`${where}: not problem+json`);
      return;
    }
    const responses = this.document.paths[route.template][route.method.toLowerCase()].responses;
    const answer = responses[String(status)] ?? responses.default;
    const op = `${route.method} ${route.template}`;
    if (!answer) {
      this.violations.push(`${where}: ${op} documents no ${status}`);
      return;
    }
    const mediaType = contentType.split(';')[0].trim();
    const media = Object.keys(answer.content ?? {});
    if (media.length === 0) {
      if (body.length > 0) this.violations.push(`${where}: ${op} documents no body for ${status}`);
      return;
    }
    if (!media.includes(mediaType)) {
      this.violations.push(
        `${where}: ${op} answers ${mediaType || 'no content type'}, documented ${media.join(', ')}`,
      );
      return;
    }
    if (!mediaType.endsWith('json')) return;
    const pointer = [
      'paths',
      route.template,
      route.method.toLowerCase(),
      'responses',
      String(status in responses ? status : 'default'),
      'content',
      mediaType,
      'schema',
    ]
      .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const validate = this.ajv.getSchema(`contract#/${pointer}`);
    if (!validate) return;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      this.violations.push(`${where}: ${op} body is not JSON`);
      return;
    }
    if (!validate(value))
      this.violations.push(`${where}: ${op} body breaks its schema: ${this.ajv.errorsText(validate.errors)}`);
  }

  /**
   * Wraps `fetch` so every answer from `origin` is checked (the body is read from a clone, so
   * the caller reads it as before). Returns the function that restores the original.
   */
  install(origin: string): () => void {
    const original = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await original(input, init);
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (url.origin === origin) {
        const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
        const body = await response.clone().text();
        this.check(method, url.pathname, response.status, response.headers.get('content-type') ?? '', body);
      }
      return response;
    };
    return () => {
      globalThis.fetch = original;
    };
  }
}
