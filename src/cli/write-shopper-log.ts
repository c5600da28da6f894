import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeAtomically } from '../core/atomic-write.js';
import { ErrorCode, RecGymError, isRecGymError } from '../core/errors.js';
import { TianchiCsvWriter } from '../data/tianchi-writer.js';
import { parseGeneratorConfig, type GeneratorOptions } from '../sim/generator-config.js';
import { shopperLogSlices, type GenerateSummary } from '../sim/shopper-log.js';

/**
 * Writes the shopper population's log to `path` as a Tianchi CSV through a temporary file beside
 * it, renamed onto `path` only when complete. Between slices of shoppers the event loop runs, so
 * that an interrupt (SIGINT, SIGTERM) is handled promptly and removes the unfinished file. A write
 * failure is WRITE_FAILED naming `--flag` and `path`. `onProgress` hears the shoppers written so far
 * (of `users`) after every slice.
 */
export async function writeShopperLog(
  flag: string,
  path: string,
  options: GeneratorOptions,
  onProgress?: (shoppers: number, users: number) => void,
): Promise<GenerateSummary> {
  const users = parseGeneratorConfig(options).users;
  try {
    return await writeAtomically(path, 'file', async (temp) => {
      const writer = new TianchiCsvWriter(temp);
      try {
        const slices = shopperLogSlices(options, writer);
        for (let slice = slices.next(); ; slice = slices.next()) {
          if (slice.done) return slice.value;
          onProgress?.(slice.value, users);
          await nextTurn();
        }
      } finally {
        writer.close();
      }
    });
  } catch (error) {
    if (isRecGymError(error) && error.code !== ErrorCode.WRITE_FAILED) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RecGymError(ErrorCode.WRITE_FAILED, `--${flag} ${path}: expected a writable file, actual ${reason}`, { cause: error });
  }
}
