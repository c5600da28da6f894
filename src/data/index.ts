export { Behavior, BEHAVIOR_NAMES, isBehaviorCode, type BehaviorCode, type BehaviorName } from './behavior.js';
export { IdMap } from './id-map.js';
export { EventStore, EventStoreBuilder, SECONDS_PER_DAY, storeColumns, storeFromColumns, type EventSink, type StoreColumns } from './event-store.js';
export {
  splitByDay,
  parseDay,
  formatDay,
  formatTime,
  formatWindow,
  isoWindow,
  countInWindow,
  type TimeWindow,
  type IsoWindow,
  type DaySplit,
} from './split.js';
export { buildEpisodes, type Episodes, type EpisodeOptions } from './episodes.js';
export {
  detectFormat,
  formatOfHeader,
  formatOfRow,
  isHeaderLine,
  isFormatName,
  createRowParser,
  FORMAT_NAMES,
  FORMAT_DESCRIPTIONS,
  type FormatName,
} from './detect-format.js';
export type { RowParser } from './formats/row-parser.js';
export { TianchiRowParser, TIANCHI_COLUMNS, daysFromCivil, daysInMonth } from './formats/tianchi.js';
export { UserBehaviorRowParser, USERBEHAVIOR_COLUMNS } from './formats/userbehavior.js';
export { RetailRocketRowParser, RETAILROCKET_COLUMNS, RETAILROCKET_CATEGORY } from './formats/retailrocket.js';
export {
  RejectCounter,
  formatRejects,
  REJECT_REASONS,
  MAX_REJECT_LINES,
  type RejectReason,
  type RejectCount,
  type RejectReport,
} from './rejects.js';
export {
  readEventLog,
  parseEventLog,
  DEFAULT_CHUNK_BYTES,
  type ReadOptions,
  type LoadedLog,
} from './read-event-log.js';
export { computeStats, type LogStats } from './stats.js';
export { TianchiCsvWriter, TIANCHI_HEADER } from './tianchi-writer.js';
export { dataFingerprint, fingerprintDifference, type DataFingerprint } from './fingerprint.js';
export { SessionLog } from './session-log.js';
