import type { EventContract, EventEnvelope } from '@leadflow/contracts';
import { contractsOnTopic, isEventContract } from '@leadflow/contracts';
import type { RpcExceptionFilter } from '@nestjs/common';
import { Catch, Controller, UseFilters } from '@nestjs/common';
import type { CustomTransportStrategy, MessageHandler } from '@nestjs/microservices';
import { BaseRpcContext, Server } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import type { Observable } from 'rxjs';
import { isObservable, lastValueFrom, throwError } from 'rxjs';
import type { EntityManager } from 'typeorm';
import type { ConsumerRunner, Delivery, HandlerRegistration } from './consumer.runner';

/**
 * What an `@EventPattern` handler gets as `@Ctx()`: the transaction its changes must go through
 * (the inbox row commits in it), and where the message came from.
 */
export class EventContext extends BaseRpcContext<[EntityManager, Delivery]> {
  /** The transaction of this event (with its inbox row; for a batch, the batch's). */
  get tx(): EntityManager {
    return this.args[0];
  }

  /** Physical topic. */
  get topic(): string {
    return this.args[1].topic;
  }

  get partition(): number {
    return this.args[1].partition;
  }

  get offset(): string {
    return this.args[1].offset;
  }

  /** 1 on the first try, then each retry of this event alone. */
  get attempt(): number {
    return this.args[1].attempt;
  }
}

/** The options of `@EventPattern(Contract, { ... })` this transport reads. */
export interface EventPatternOptions {
  /**
   * The handler reads only the envelope (who, when, which aggregate — e.g. counting events): the
   * envelope is validated, the payload is not, since a payload the handler never reads cannot make
   * it fail, and validating a large one costs more than the handler.
   */
  envelopeOnly?: boolean;
  /**
   * The handler takes the consecutive events of its type in a fetched group at once (up to 100,
   * in partition order, duplicates removed) as `@Payload() events: EventEnvelope[]`, in one
   * transaction; `ctx` describes the first. When the group fails, each event comes again alone (an
   * array of one) and is retried or dead-lettered by itself. For handlers whose work per event is
   * a statement that can be summed (counting, upserting copies).
   */
  batch?: boolean;
}

export interface EventConsumerRules {
  /**
   * Event types on the consumer's topics it leaves alone, by rule. Every catalogued type of a
   * topic it reads must be handled or listed here, or the service does not start.
   */
  ignores?: readonly EventContract[];
  /**
   * The broker answers a fetch once `minBytes` of new messages are there or after `maxWaitMs`
   * (default: at the first message): larger batches for `batch` handlers under load, at up to
   * `maxWaitMs` of added latency.
   */
  fetch?: { minBytes: number; maxWaitMs: number };
}

const CONSUMER_EXTRAS = 'leadflow:consumer';

interface ConsumerExtras {
  name: string;
  ignores: readonly EventContract[];
  fetch?: EventConsumerRules['fetch'];
  owner: string;
}

/** Hands a handler's error, as it was thrown, to the consumer runner (retries, DLQ, outage hold). */
@Catch()
export class PassErrorsToConsumerRunner implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Declares a class of event handlers for the consumer group `name` (`<prefix><service>.<name>`).
 * Its `@EventPattern(Contract)` methods take the envelope as `@Payload()` and an `EventContext` as
 * `@Ctx()`; they change state only through `ctx.tx`. Several classes may share a group (each type
 * handled once in it); a group of its own sees every event again (its own inbox rows and offsets).
 * The class is a controller: list it in its module's `controllers`.
 */
export function EventConsumer(name: string, rules: EventConsumerRules = {}): ClassDecorator {
  return (target) => {
    const prototype = (target as unknown as { prototype: object }).prototype;
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, key)?.value as unknown;
      if (typeof method !== 'function' || !Reflect.hasMetadata(PATTERN_METADATA, method)) continue;
      const extras = (Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) ?? {}) as Record<string, unknown>;
      const consumer: ConsumerExtras = {
        name,
        ignores: rules.ignores ?? [],
        fetch: rules.fetch,
        owner: `${target.name}.${key}`,
      };
      Reflect.defineMetadata(PATTERN_EXTRAS_METADATA, { ...extras, [CONSUMER_EXTRAS]: consumer }, method);
    }
    Controller()(target);
    UseFilters(PassErrorsToConsumerRunner)(target);
  };
}

interface DeclaredHandler {
  contract: EventContract;
  consumer: ConsumerExtras;
  envelopeOnly: boolean;
  batch: boolean;
  callback: MessageHandler;
}

/**
 * The platform's `@nestjs/microservices` transport: Kafka through `ConsumerRunner` (validation,
 * inbox, batches, retries, DLQ, order, outage hold). Nest hands it every `@EventPattern` method of
 * the `@EventConsumer` controllers; `listen` checks them (one handler per type and group, every
 * type of a topic read handled or ignored by rule) and registers them with the runner, which the
 * messaging lifecycle starts once the broker answers. The shared bootstrap connects it with
 * `app.connectMicroservice({ strategy })`.
 */
export class EventTransport extends Server implements CustomTransportStrategy {
  private readonly declared: DeclaredHandler[] = [];
  private registered = false;

  constructor(private readonly runner: ConsumerRunner) {
    super();
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const consumer = extras[CONSUMER_EXTRAS] as ConsumerExtras | undefined;
    const where = consumer?.owner ?? 'a handler';
    if (!isEventHandler)
      throw new Error(`${where}: @MessagePattern is not served here; consumers take events (@EventPattern)`);
    if (!isEventContract(pattern))
      throw new Error(`${where}: @EventPattern takes an event contract of @leadflow/contracts`);
    if (!consumer)
      throw new Error(`${pattern.type}: the class of this @EventPattern handler needs @EventConsumer(name)`);
    this.declared.push({
      contract: pattern,
      consumer,
      envelopeOnly: extras.envelopeOnly === true,
      batch: extras.batch === true,
      callback,
    });
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      if (!this.registered) this.registerAll();
      this.registered = true;
    } catch (error) {
      callback(error);
      return;
    }
    callback();
  }

  /** The groups and the types each handles, as registered (for logs and tests). */
  consumers(): { name: string; handles: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const d of this.declared)
      groups.set(d.consumer.name, [...(groups.get(d.consumer.name) ?? []), d.contract.type]);
    return [...groups].map(([name, handles]) => ({ name, handles }));
  }

  /** Checks every group first, then registers them: a refused start-up registers nothing. */
  private registerAll(): void {
    const groups = new Map<string, DeclaredHandler[]>();
    for (const d of this.declared) groups.set(d.consumer.name, [...(groups.get(d.consumer.name) ?? []), d]);
    const checked = [...groups].map(([name, handlers]) => {
      const byType = new Map<string, DeclaredHandler>();
      for (const handler of handlers) {
        const twin = byType.get(handler.contract.type);
        if (twin)
          throw new Error(
            `consumer "${name}": ${twin.consumer.owner} and ${handler.consumer.owner} both handle ${handler.contract.type}; ` +
              'a consumer group applies each event once, so give one of them a consumer name of its own',
          );
        byType.set(handler.contract.type, handler);
      }
      const ignores = new Map<string, EventContract>();
      for (const handler of handlers) for (const c of handler.consumer.ignores) ignores.set(c.type, c);
      this.checkRules(name, byType, ignores);
      const fetches = [...new Set(handlers.map((h) => JSON.stringify(h.consumer.fetch ?? null)))];
      if (fetches.length > 1)
        throw new Error(
          `consumer "${name}": its classes ask for different fetch settings (${fetches.join(' / ')})`,
        );
      return {
        name,
        handlers: [...byType.values()],
        ignores: [...ignores.keys()],
        fetch: handlers[0].consumer.fetch,
      };
    });
    for (const { name, handlers, ignores, fetch } of checked)
      this.runner.register(
        name,
        handlers.map((h) => this.registration(h)),
        { ignores, fetch },
      );
  }

  /** Every type of a topic the group reads is handled or ignored by rule; rules name real topics. */
  private checkRules(
    name: string,
    handled: Map<string, DeclaredHandler>,
    ignores: Map<string, EventContract>,
  ): void {
    const topics = new Set([...handled.values()].map((h) => h.contract.topic));
    for (const [type, contract] of ignores) {
      if (handled.has(type)) throw new Error(`consumer "${name}" both handles and ignores ${type}`);
      if (!topics.has(contract.topic))
        throw new Error(`consumer "${name}" ignores ${type}, but reads no handled type of ${contract.topic}`);
    }
    for (const topic of topics) {
      const unlisted = contractsOnTopic(topic)
        .map((c) => c.type)
        .filter((type) => !handled.has(type) && !ignores.has(type));
      if (unlisted.length > 0)
        throw new Error(
          `consumer "${name}" reads ${topic} but neither handles nor ignores ${unlisted.join(', ')}: ` +
            `handle them or list them in @EventConsumer('${name}', { ignores: [...] })`,
        );
    }
  }

  private registration(handler: DeclaredHandler): HandlerRegistration {
    const invoke = async (payload: unknown, tx: EntityManager, delivery: Delivery): Promise<void> => {
      const result: unknown = await handler.callback(payload, new EventContext([tx, delivery]));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    };
    return {
      contract: handler.contract,
      readsPayload: !handler.envelopeOnly,
      handle: (event: EventEnvelope<object>, tx: EntityManager, delivery: Delivery) =>
        invoke(handler.batch ? [event] : event, tx, delivery),
      handleMany: handler.batch
        ? (events: EventEnvelope<object>[], tx: EntityManager, delivery: Delivery) =>
            invoke(events, tx, delivery)
        : undefined,
    };
  }

  async close(): Promise<void> {
    await this.runner.stop();
  }

  on(): never {
    throw new Error('EventTransport emits no events of its own');
  }

  unwrap<T>(): T {
    return this.runner as T;
  }
}
