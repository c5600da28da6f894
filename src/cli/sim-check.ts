import { ErrorCode, RecGymError } from '../core/errors.js';
import { FORMAT_NAMES } from '../data/detect-format.js';
import { formatWindow } from '../data/split.js';
import { fmt, jsonWithNulls } from '../report/format.js';
import { textTable } from '../report/table.js';
import { commandProgress, readingProgress } from './cli-output.js';
import { formatFlag, intFlag, parseFlags, seedFlag, UsageError, type Command } from './command.js';
import { readSimModel } from './read-sim-model.js';

const USAGE = `usage: recgym sim check SIM.json FILE [--seed N] [--steps N] [--learners] [--format F] [--json]

The simulator's fidelity report card (docs/simulator.md). SIM.json is a model recgym sim fit
fitted on FILE's training days; the days of FILE after them are held out. The simulator writes the
held-out users' sessions on the days they came, and the card compares that log with the real one:
the funnel's AUC on held-out events, KS and JS distances with their pass marks, a two-sample
classifier's AUC (real vs simulated sessions), the ranking of the baseline policies by Recall@20
in the full protocol on both (Kendall tau, each agent's ratio), and each policy's mean return in
the simulator against one fitted on the held-out days (RL4RS).
Exits 0 with the card whether or not every mark passed.

  --seed N     seed of the simulated log, the evaluation and the simulated sessions (default 0)
  --steps N    steps of 64 simulated sessions per policy and simulator in the RL4RS check (default 200)
  --format F   ${['auto', ...FORMAT_NAMES].join(' | ')} (default auto: detected from the first lines)
  --learners   rank the ranker and the DQN too (each trained on the real and on the simulated
               training days with its default config: minutes on the embedded data)
  --json       print the card as one JSON object on stdout instead of the text card`;

const FLAGS = {
  seed: { type: 'string' },
  steps: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  learners: { type: 'boolean' },
} as const;

/** `recgym sim check`: the simulator's fidelity report card against the held-out days of its log. */
export const command: Command = {
  path: ['sim', 'check'],
  summary: "the simulator's fidelity report card against the held-out days of its log",
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 2) throw new UsageError(`expected SIM.json and FILE, actual ${positionals.length === 0 ? 'nothing' : positionals.join(' ')}`);
    const [simFile, file] = positionals;
    const seed = seedFlag('seed', values.seed, 0);
    const steps = intFlag('steps', values.steps, 200, 1, 100_000);
    const format = formatFlag(values.format);
    const model = await readSimModel(simFile, simFile);
    const progress = commandProgress(io, values.json === true);
    const { readEventLog } = await import('../data/read-event-log.js');
    const onProgress = readingProgress(progress, file);
    const { store } = await readEventLog(file, { format, ...(onProgress ? { onProgress } : {}) });
    progress?.finish();
    const { simCheck } = await import('../run/sim-check.js');
    let report: Awaited<ReturnType<typeof simCheck>>;
    try {
      report = await simCheck(store, model, { seed, steps, learners: values.learners === true });
    } catch (error) {
      if (error instanceof RecGymError && error.code === ErrorCode.BAD_OPTION) throw new RecGymError(ErrorCode.BAD_OPTION, `${error.message.replace(/^sim check: /, `${simFile}: `)} (FILE ${file})`);
      throw error;
    }
    if (values.json) {
      io.stdout(`${jsonWithNulls(report)}\n`);
      return 0;
    }
    const mark = (passed: boolean | null) => (passed === null ? 'n/a' : passed ? 'pass' : 'FAIL');
    const { twoSample } = report;
    const telling = [...twoSample.weights]
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
      .slice(0, 3)
      .map((w) => `${w.feature} ${fmt(w.weight, 2)}`)
      .join(', ');
    const lines = [
      `simulator ${simFile} (fitted on ${formatWindow(report.trainWindow)}) against ${file} held out ${formatWindow(report.heldOutWindow)}: ${report.users} users, ${report.realEvents} real and ${report.simulatedEvents} simulated events`,
      '',
      'response-model AUC on held-out clicks (mark: > 0.5 with at least 10 of each class)',
      textTable(['behaviour', 'positives', 'negatives', 'AUC', 'mark'], report.responseAucs.map((a) => [a.behaviour, String(a.positives), String(a.negatives), fmt(a.auc, 3), mark(a.passed)])),
      '',
      'distances real vs simulated (KS: max(0.1, 1 % critical value); JS in bits: max(0.01, 3 × sampling noise))',
      textTable(['distribution', 'test', 'real n', 'sim n', 'distance', 'pass mark', 'mark'], report.distances.map((d) => [d.name, d.statistic, String(d.real), String(d.simulated), fmt(d.distance), fmt(d.mark), mark(d.passed)])),
      '',
      `two-sample classifier (logistic regression on per-session features, real vs simulated sessions): AUC ${fmt(twoSample.auc, 3)} on ${twoSample.real} real and ${twoSample.simulated} simulated sessions (mark: < ${twoSample.mark}; 0.5 = indistinguishable) ${mark(twoSample.passed)}`,
      `  most telling features (standardised weight, > 0: simulated): ${telling}`,
      '',
      `policy ranking by ${report.metric} (full protocol): Kendall tau ${fmt(report.kendallTau, 3)} (mark: 1) ${mark(report.kendallTau === 1)}`,
      textTable(['agent', 'real', 'simulated', 'ratio', 'mark (±25 %)'], report.policies.map((p) => [p.agent, fmt(p.real), fmt(p.simulated), fmt(p.ratio, 3), mark(p.passed)])),
      '',
      'RL4RS check: mean episode return in the simulator fitted on the training days vs one fitted on the held-out days',
      textTable(['agent', 'train-days sim', 'held-out sim', 'gap'], report.rl4rs.map((r) => [r.agent, fmt(r.trainSim), fmt(r.heldOutSim), `${(100 * r.gap).toFixed(1)} %`])),
      '',
      report.passed ? 'every mark passed' : 'not every mark passed',
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};
