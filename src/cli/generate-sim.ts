import { closeSync, openSync, writeSync } from 'node:fs';
import { writeAtomically } from '../core/atomic-write.js';
import { ErrorCode, RecGymError, isRecGymError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { formatTime } from '../data/split.js';
import { TianchiCsvWriter } from '../data/tianchi-writer.js';
import { formatCount } from '../report/format.js';
import { loggingAgent, parsePolicySpec, POLICY_SPEC_EXPECTED, simulatePolicyLog } from '../run/policy-log.js';
import { ShopperModel } from '../sim/shopper-model.js';
import type { CliIo } from './command.js';
import { formatFlag, UsageError } from './command.js';
import { checkOutputFile } from './output-path.js';
import { readSimModel } from './read-sim-model.js';

/** The header of the propensity file `recgym generate --sim` writes beside the log. */
export const PROPENSITY_HEADER = 'user_id,item_id,time,propensity,accepted';

/** What `recgym generate --sim` reads from its flags. */
export interface SimGenerateOptions {
  readonly sim: string;
  readonly data: string | undefined;
  readonly format: string | undefined;
  readonly policy: string | undefined;
  readonly epsilon: string | undefined;
  readonly out: string;
  readonly days: number;
  readonly seed: number;
  readonly isJson: boolean;
}

/** The propensity file beside `out`. */
export function propensityPath(out: string): string {
  return `${out}.propensity.csv`;
}

/**
 * `recgym generate --sim`: the simulator's sessions under a logging policy, as a Tianchi CSV at
 * `out` and the policy's recommendations with their propensities at `out.propensity.csv`; both
 * written under temporary names and renamed only when both are complete.
 */
export async function generateFromSimulator(options: SimGenerateOptions, io: CliIo): Promise<number> {
  const { sim, out, days, seed } = options;
  if (options.data === undefined) throw new UsageError('--sim: expected --data FILE, the log the simulator was fitted on');
  const spec = options.policy === undefined ? undefined : parsePolicySpec(options.policy);
  if (spec === undefined) throw new UsageError(`--policy: expected ${POLICY_SPEC_EXPECTED}, actual ${options.policy === undefined ? 'nothing' : `"${options.policy}"`}`);
  const policy = spec.name;
  const epsilon = options.epsilon === undefined ? 0 : Number(options.epsilon);
  if (options.epsilon !== undefined && (options.epsilon.trim() === '' || !(epsilon >= 0 && epsilon <= 1))) throw new UsageError(`--epsilon: expected a number in [0, 1], actual "${options.epsilon}"`);
  const shownEpsilon = spec.dir === undefined && policy === 'random' ? 1 : epsilon;
  const format = formatFlag(options.format);
  checkOutputFile('out', out);
  const model = await readSimModel(sim, `--sim ${sim}`);
  const { readEventLog } = await import('../data/read-event-log.js');
  const { store } = await readEventLog(options.data, { format });
  const shoppers = new ShopperModel(model, store, `--sim ${sim}`);
  const agent = await loggingAgent(spec, store, model.trainWindow, createRng(`${seed}:agent`), `--policy ${options.policy}`);
  const startedMs = performance.now();
  const sidePath = propensityPath(out);
  let summary: Awaited<ReturnType<typeof simulatePolicyLog>>;
  try {
    summary = await writeAtomically(out, 'file', (logTemp) =>
      writeAtomically(sidePath, 'file', async (sideTemp) => {
        const writer = new TianchiCsvWriter(logTemp);
        const side = openSync(sideTemp, 'w');
        try {
          writeSync(side, `${PROPENSITY_HEADER}\n`);
          let lines: string[] = [];
          const result = await simulatePolicyLog(shoppers, agent, { days, epsilon: shownEpsilon }, createRng(`${seed}:generate-sim`), writer, (r) => {
            lines.push(`${store.userIds.rawOf(r.user)},${store.itemIds.rawOf(r.item)},${formatTime(r.time)},${r.propensity},${r.accepted ? 1 : 0}`);
            if (lines.length >= 4096) {
              writeSync(side, `${lines.join('\n')}\n`);
              lines = [];
            }
          });
          if (lines.length > 0) writeSync(side, `${lines.join('\n')}\n`);
          return result;
        } finally {
          writer.close();
          closeSync(side);
        }
      }),
    );
  } catch (error) {
    if (isRecGymError(error) && error.code !== ErrorCode.WRITE_FAILED) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RecGymError(ErrorCode.WRITE_FAILED, `--out ${out}: expected a writable file, actual ${reason}`, { cause: error });
  }
  const seconds = (performance.now() - startedMs) / 1000;
  const result = { file: out, propensities: sidePath, policy, epsilon: shownEpsilon, days, seed, ...summary, seconds: Number(seconds.toFixed(3)) };
  if (options.isJson) io.stdout(`${JSON.stringify(result)}\n`);
  else {
    io.stderr(
      `wrote ${formatCount(summary.events)} events of ${summary.sessions} simulated sessions under ${policy} to ${out}, ` +
        `and its ${summary.recommendations} recommendations (${summary.accepted} taken) with propensities to ${sidePath}, in ${seconds.toFixed(2)} s\n`,
    );
  }
  return 0;
}
