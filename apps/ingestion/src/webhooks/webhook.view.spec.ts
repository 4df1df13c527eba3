import { IntakeRequestEntity } from '../intake/intake-request.entity';
import { toIntakeRequestDetailView } from './webhook.view';

function logged(rawBody: Buffer | null): IntakeRequestEntity {
  return Object.assign(new IntakeRequestEntity(), {
    id: '0192f1d2-8c4e-7b3a-9f00-1234567890ab',
    organizationId: '0192f1d2-8c4e-7b3a-9f00-000000000001',
    workspaceId: '0192f1d2-8c4e-7b3a-9f00-000000000002',
    webhookId: '0192f1d2-8c4e-7b3a-9f00-000000000003',
    providerId: null,
    outcome: 'rejected',
    httpStatus: 400,
    code: 'malformed_body',
    errors: [],
    leadId: null,
    idempotencyKey: 'order-1',
    contentType: 'application/json',
    rawBody,
    rawBodyBytes: rawBody?.length ?? null,
    ip: '203.0.113.9',
    userAgent: 'vendor/1.0',
    receivedAt: new Date('2026-11-23T10:00:00.000Z'),
  } satisfies IntakeRequestEntity);
}

describe('the request log detail view', () => {
  it('answers a UTF-8 body as the text received, byte for byte', () => {
    const text = '{"firstName":"Zoë","note":"  spaced \\u00e9 ✓ "}\n';
    expect(toIntakeRequestDetailView(logged(Buffer.from(text, 'utf8')))).toMatchObject({
      rawBody: text,
      rawBodyEncoding: 'utf8',
      webhookId: '0192f1d2-8c4e-7b3a-9f00-000000000003',
      idempotencyKey: 'order-1',
      userAgent: 'vendor/1.0',
      receivedAt: '2026-11-23T10:00:00.000Z',
    });
  });

  it('answers a body that is not UTF-8 as base64, so that no byte is lost', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);
    const view = toIntakeRequestDetailView(logged(bytes));
    expect(view.rawBodyEncoding).toBe('base64');
    expect(Buffer.from(view.rawBody as string, 'base64').equals(bytes)).toBe(true);
  });

  it('answers an empty body as empty text and a missing one as null', () => {
    expect(toIntakeRequestDetailView(logged(Buffer.alloc(0)))).toMatchObject({
      rawBody: '',
      rawBodyEncoding: 'utf8',
    });
    expect(toIntakeRequestDetailView(logged(null))).toMatchObject({ rawBody: null, rawBodyEncoding: null });
  });

  it('says when the body kept is only the start of what was received', () => {
    const row = Object.assign(logged(Buffer.from('{"a":1')), { rawBodyBytes: 20_000 });
    expect(toIntakeRequestDetailView(row)).toMatchObject({ rawBodyBytes: 20_000, rawBodyTruncated: true });
    expect(toIntakeRequestDetailView(logged(Buffer.from('{}')))).toMatchObject({ rawBodyTruncated: false });
  });
});
