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
export { fitSimulator, storeIdChecksum, type FitOptions } from './fit-simulator.js';
export { BehaviourParamsSchema, FunnelRatesSchema, SimModelSchema, parseSimModel, type BehaviourParams, type FunnelRates, type SimModel } from './sim-model.js';
export { DEFAULT_BEHAVIOUR, SIM_PRESETS, applyPreset, simPreset, type SimPreset } from './presets.js';
export { ShopperModel, type Draws } from './shopper-model.js';
export { ShopperSessions } from './shopper-sessions.js';
export { simulateOrganicLog, type SimulatedLogSummary } from './simulate-log.js';
export { categoryTaste, itemAffinity, itemLogShare, type Taste } from './taste.js';
