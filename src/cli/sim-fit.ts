import { rm, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { FORMAT_NAMES } from '../data/detect-format.js';
import { formatDay, parseDay, splitByDay } from '../data/split.js';
import { fitSimulator } from '../sim/fit-simulator.js';
import { applyPreset, SIM_PRESETS } from '../sim/presets.js';
import { formatFlag, parseFlags, UsageError, type Command } from './command.js';

const USAGE = `usage: recgym sim fit FILE --out SIM.json [--train-end YYYY-MM-DD] [--preset NAME] [--format F] [--json]

Fits the user simulator to an event log (docs/simulator.md): item popularity and category
transitions, funnel rates per category, the hour profile, session length and gaps, repeat
behaviour and each user's category taste, from the events before --train-end. Writes the model as
JSON (written beside SIM.json under a temporary name, then renamed: a failed run leaves no file).

  --out FILE          where to write the model (required)
  --train-end DAY     fit on the days before DAY, UTC (default: the last day with events is held out)
  --preset NAME       behaviour preset applied to the fit (default: default):
${SIM_PRESETS.map((p) => `                        ${p.name.padEnd(15)} ${p.description}`).join('\n')}
  --format F          ${['auto', ...FORMAT_NAMES].join(' | ')} (default auto: detected from the first lines)
  --json              print one JSON summary object on stdout instead of the summary line on stderr`;

const FLAGS = {
  out: { type: 'string' },
  'train-end': { type: 'string' },
  preset: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `recgym sim fit`: fits the user simulator to a log and writes it as JSON. */
export const command: Command = {
  path: ['sim', 'fit'],
  summary: 'fit the user simulator to an event log and write it as JSON',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, actual ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    const file = positionals[0];
    const out = values.out;
    if (out === undefined || out === '') throw new UsageError('--out: expected a file path, actual nothing');
    const format = formatFlag(values.format);
    const preset = values.preset ?? 'default';
    if (!SIM_PRESETS.some((p) => p.name === preset)) throw new UsageError(`--preset: expected one of ${SIM_PRESETS.map((p) => p.name).join(', ')}, actual "${preset}"`);
    const trainEnd = values['train-end'];
    if (trainEnd !== undefined) {
      try {
        parseDay(trainEnd);
      } catch {
        throw new UsageError(`--train-end: expected a date YYYY-MM-DD, actual "${trainEnd}"`);
      }
    }
    const { readEventLog } = await import('../data/read-event-log.js');
    const { store } = await readEventLog(file, { format });
    const train = splitByDay(store, trainEnd).train;
    const span = `${formatDay(Math.floor(store.minTime / 86_400))} .. ${formatDay(Math.floor(store.maxTime / 86_400))}`;
    if (store.minTime >= train.end) {
      throw new RecGymError(ErrorCode.NO_EVENTS, `--train-end ${trainEnd ?? formatDay(train.end / 86_400)}: expected events of ${file} before it, actual none (the log spans ${span})`);
    }
    const startedMs = performance.now();
    let model: ReturnType<typeof fitSimulator>;
    try {
      model = applyPreset(fitSimulator(store, train), preset);
    } catch (error) {
      if (error instanceof RecGymError && error.code === ErrorCode.NO_EVENTS) throw new RecGymError(ErrorCode.NO_EVENTS, `${file}: ${error.message} (training window ends ${formatDay(train.end / 86_400)}; the log spans ${span})`);
      throw error;
    }
    const seconds = (performance.now() - startedMs) / 1000;
    await writeAtomically(out, `${JSON.stringify(model)}\n`);
    const summary = {
      file,
      out,
      preset,
      trainEnd: formatDay(train.end / 86_400),
      events: model.events,
      users: model.store.numUsers,
      items: model.store.numItems,
      categories: model.store.numCategories,
      funnel: model.funnel.global,
      meanClicksPerSession: model.session.meanClicks,
      seconds: Number(seconds.toFixed(3)),
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(summary)}\n`);
    } else {
      const f = model.funnel.global;
      io.stderr(
        `fitted the simulator (preset ${preset}) on ${model.events} events before ${summary.trainEnd} (${summary.users} users, ${summary.items} items): ` +
          `cart ${(100 * f.cart).toFixed(2)} % of clicks, purchase after cart ${(100 * f.purchaseAfterCart).toFixed(1)} %, ` +
          `${model.session.meanClicks.toFixed(1)} clicks per session, in ${seconds.toFixed(2)} s; wrote ${out}\n`,
      );
    }
    return 0;
  },
};

/** Writes `text` to a temporary file beside `path`, then renames it over `path`; on failure removes the temporary file and throws WRITE_FAILED naming `path`. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new RecGymError(ErrorCode.WRITE_FAILED, `--out ${path}: expected a writable file, actual ${(error as Error).message}`);
  }
}
