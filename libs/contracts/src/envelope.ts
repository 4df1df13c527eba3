import {
  IsDefined,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';

/**
 * The JSON envelope every event travels in. `payload` is validated separately against the
 * payload class of the event's contract.
 */
export class EventEnvelope<TPayload extends object = Record<string, unknown>> {
  /** UUIDv7 of this event: the idempotency key of every consumer. */
  @IsUUID('all')
  id!: string;

  /** Past-tense fact (`lead.created`) or imperative command (`call.requested`). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  type!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  occurredAt!: string;

  /** The service that published it. */
  @IsString()
  @IsNotEmpty()
  source!: string;

  @IsUUID('all')
  organizationId!: string;

  @IsOptional()
  @IsUUID('all')
  workspaceId?: string;

  /** The aggregate the event is about; also the Kafka message key. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  aggregateId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  correlationId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  causationId?: string;

  @IsDefined()
  @IsObject()
  payload!: TPayload;
}

export type PayloadClass<P extends object> = new () => P;

/** One event type: its name, version, topic and payload class. */
export interface EventContract<P extends object = object> {
  readonly type: string;
  readonly version: number;
  readonly topic: string;
  readonly payload: PayloadClass<P>;
}

/** Whether a value is an event contract (as `defineEvent` makes them). */
export function isEventContract(value: unknown): value is EventContract {
  const c = value as Partial<EventContract> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.type === 'string' &&
    typeof c.topic === 'string' &&
    typeof c.version === 'number' &&
    typeof c.payload === 'function'
  );
}

export function defineEvent<P extends object>(contract: EventContract<P>): EventContract<P> {
  return Object.freeze({ ...contract });
}

/** The envelope of a given contract, with its typed payload. */
export type EventOf<C> = C extends EventContract<infer P> ? EventEnvelope<P> : never;
