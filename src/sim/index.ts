export {
  DEFAULT_GENERATOR_CONFIG,
  GeneratorConfigSchema,
  parseGeneratorConfig,
  type GeneratorConfig,
  type GeneratorOptions,
} from './generator-config.js';
export {
  Catalogue,
  FUNNEL_CART,
  FUNNEL_FAVORITE,
  FUNNEL_PURCHASE,
  HOUR_WEIGHTS,
  Shopper,
  ShopperPopulation,
  standardNormal,
} from './shopper-population.js';
export { generateShopperLog, poisson, type GenerateSummary } from './shopper-log.js';
export { createDefaultEventStore } from './default-data.js';
