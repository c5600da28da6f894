import { EventStoreBuilder, type EventSink, type EventStore } from '../data/event-store.js';
import { DEFAULT_GENERATOR_CONFIG, parseGeneratorConfig, type GeneratorConfig } from './generator-config.js';
import { generateShopperLog } from './shopper-log.js';

export { DEFAULT_GENERATOR_CONFIG } from './generator-config.js';

/**
 * The embedded default data: the default shopper population's log (about 1,500 users, 31 days
 * 2014-11-18..2014-12-18, 4,000 items, 80 categories), generated in memory and loaded into an
 * {@link EventStore}. Times are cut to the hour, as in the Tianchi file `recgym generate` writes, so
 * this store equals the one loaded from that file. Synchronous and deterministic; `overrides` change
 * any generator option.
 */
export function createDefaultEventStore(overrides: Partial<GeneratorConfig> = {}): EventStore {
  const config = parseGeneratorConfig({ ...DEFAULT_GENERATOR_CONFIG, ...overrides });
  const expectedEvents = Math.ceil(config.users * config.days * config.sessionsPerUserDay * config.itemsPerSession * 1.2);
  const builder = new EventStoreBuilder({ expectedEvents, expectedUsers: config.users, expectedItems: config.items });
  const hourly: EventSink = {
    append: (user, item, category, behavior, time) => builder.append(user, item, category, behavior, time - (time % 3600)),
  };
  generateShopperLog(config, hourly);
  return builder.build();
}
