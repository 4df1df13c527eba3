import type { EventContract } from '@leadflow/contracts';
import { EventEnvelope } from '@leadflow/contracts';
import { toFieldErrors } from '@leadflow/platform/errors';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

function describe(errors: ReturnType<typeof toFieldErrors>): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/** Parses and validates the envelope of a raw message; throws InvalidEventError with the reason. */
export function parseEnvelope(value: Buffer | string | null): EventEnvelope {
  if (value === null) throw new InvalidEventError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    throw new InvalidEventError(`message is not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidEventError('message is not a JSON object');
  }
  // The envelope's own fields are validated with a stand-in for a payload that is an object, so
  // class-transformer does not deep-copy the payload (most of the work for a large one): the
  // payload's contract is checked on its own (validatePayload), and only by consumers that read it.
  const { payload } = json as { payload?: unknown };
  const payloadIsObject = typeof payload === 'object' && payload !== null && !Array.isArray(payload);
  const envelope = plainToInstance(EventEnvelope, payloadIsObject ? { ...json, payload: {} } : json);
  const errors = validateSync(envelope, { forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidEventError(`invalid envelope: ${describe(toFieldErrors(errors))}`);
  if (payloadIsObject) envelope.payload = payload as Record<string, unknown>;
  return envelope;
}

/** Validates (and types) a payload against its contract's class; throws InvalidEventError. */
export function validatePayload<P extends object>(contract: EventContract<P>, payload: unknown): P {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidEventError(`${contract.type}: payload is not an object`);
  }
  const instance = plainToInstance(contract.payload, payload);
  const errors = validateSync(instance, { forbidUnknownValues: true, whitelist: false });
  if (errors.length > 0) {
    throw new InvalidEventError(
      `${contract.type} v${contract.version}: invalid payload: ${describe(toFieldErrors(errors))}`,
    );
  }
  return instance;
}
