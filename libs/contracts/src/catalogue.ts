import type { EventContract } from './envelope';
import { isEventContract } from './envelope';
import * as identity from './identity/events';
import * as ingestion from './ingestion/events';

/**
 * Every event contract of the platform, read from the services' event modules (a new service adds
 * its module here). Consumers are checked against it at start-up: each event type on a topic they
 * read is either handled or listed as ignored.
 */
export const EventCatalogue: readonly EventContract[] = Object.freeze(
  [identity, ingestion].flatMap((module) => Object.values(module).filter(isEventContract)),
);

/** The catalogued contracts published on a logical topic. */
export function contractsOnTopic(topic: string): EventContract[] {
  return EventCatalogue.filter((contract) => contract.topic === topic);
}
