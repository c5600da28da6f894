import { TINY_DQN } from '../helpers/tiny-dqn.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/run/compare.js';
import { compareMarkdown } from '../../src/run/compare-report.js';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'tiny.csv');
const config = join(dir, 'tiny-dqn.json');
const rankerConfig = join(dir, 'tiny-ranker.json');
const AGENTS = ['ranker', 'dqn', 'recent', 'cooccurrence', 'popularity', 'random'];
const PROTOCOLS = ['full', 'sampled', 'seed'];
const HEADLINE: Record<string, string> = { full: 'recall@20', sampled: 'hr@10', seed: 'recall@4' };

function compare(out: string, ...extra: string[]) {
  return runCli(['compare', '--data', data, '--dqn-config', config, '--ranker-config', rankerConfig, '--epochs', '2', '--resamples', '50', '--out', out, ...extra]);
}

beforeAll(async () => {
  const generated = await runCli(['generate', '--out', data, '--users', '60', '--days', '6', '--items', '300', '--categories', '10', '--seed', '5']);
  expect(generated.code).toBe(0);
  writeFileSync(config, JSON.stringify(TINY_DQN));
  writeFileSync(rankerConfig, JSON.stringify({ passesPerEpoch: 1, batchSize: 64, uniformNegatives: 16 }));
});

describe('recgym compare', () => {
  const out = join(dir, 'run-json');
  let code = -1;
  let report: CompareReport;
  let stderr = '';
  beforeAll(async () => {
    const result = await compare(out, '--json');
    code = result.code;
    stderr = result.stderr;
    report = JSON.parse(result.stdout) as CompareReport;
  });

  it('exits 0, logs the backend and prints one JSON object', () => {
    expect(code).toBe(0);
    expect(stderr).toMatch(/dqn: trained \(cpu\) in \d+\.\d s, evaluating epoch [12]/);
    expect(stderr).toMatch(/ranker: trained \(js\) in \d+\.\d s, evaluating epoch [12]/);
    expect(report.backend).toBe('js, cpu');
    expect(report.command).toBe(`recgym compare --data ${data} --dqn-config ${config} --ranker-config ${rankerConfig} --epochs 2 --resamples 50 --out ${out} --json`);
  });

  it('reports every agent under every protocol with a 95 % CI', () => {
    expect(report.agents).toEqual(AGENTS);
    expect(report.protocols).toEqual(PROTOCOLS);
    expect(report.table).toHaveLength(AGENTS.length * PROTOCOLS.length);
    for (const protocol of PROTOCOLS) {
      for (const agent of AGENTS) {
        const row = report.table.find((r) => r.agent === agent && r.protocol === protocol);
        expect(row?.metric).toBe(HEADLINE[protocol]);
        const { mean, lo, hi } = row!.value;
        expect(lo).toBeLessThanOrEqual(mean);
        expect(mean).toBeLessThanOrEqual(hi);
      }
      const results = report.results[protocol as 'full']!;
      expect(results.agents.map((a) => a.agent)).toEqual(AGENTS);
      expect(results.cases).toEqual(report.cases);
    }
    expect(report.results.seed!.randomExpected['recall@4']).toBeCloseTo(0.8, 10);
  });

  it('reports the paired differences to recent on all, warm and discovery cases', () => {
    expect(report.baseline).toBe('recent');
    expect(report.differences).toHaveLength((AGENTS.length - 1) * PROTOCOLS.length);
    for (const d of report.differences) {
      expect(d.agent).not.toBe('recent');
      expect(d.baseline).toBe('recent');
      expect(d.metric).toBe(HEADLINE[d.protocol]);
      for (const subset of [d.all, d.warm]) expect(subset.lo).toBeLessThanOrEqual(subset.hi);
      expect(d).toHaveProperty('discovery');
    }
    const dqnFull = report.differences.find((d) => d.agent === 'dqn' && d.protocol === 'full')!;
    const full = report.results.full!;
    const dqn = full.agents.find((a) => a.agent === 'dqn')!;
    const recent = full.agents.find((a) => a.agent === 'recent')!;
    const dqnMean = (dqn.metrics['recall@20'] as { mean: number }).mean;
    const recentMean = (recent.metrics['recall@20'] as { mean: number }).mean;
    expect(dqnFull.all.mean).toBeCloseTo(dqnMean - recentMean, 10);
  });

  it('pairs each learner with every other baseline, and the DQN with the ranker, on the same cases', () => {
    const others = ['cooccurrence', 'popularity', 'random'];
    const pairs = report.learnerDifferences.map((d) => `${d.agent}-${d.baseline} ${d.protocol}`);
    expect(pairs).toEqual([
      ...others.flatMap((b) => PROTOCOLS.map((p) => `ranker-${b} ${p}`)),
      ...['ranker', ...others].flatMap((b) => PROTOCOLS.map((p) => `dqn-${b} ${p}`)),
    ]);
    for (const d of report.learnerDifferences) {
      expect(d.metric).toBe(HEADLINE[d.protocol]);
      const results = report.results[d.protocol]!;
      const mean = (agent: string) => (results.agents.find((a) => a.agent === agent)!.metrics[d.metric] as { mean: number }).mean;
      expect(d.all.mean).toBeCloseTo(mean(d.agent) - mean(d.baseline), 10);
      expect(d.all.lo).toBeLessThanOrEqual(d.all.hi);
    }
  });

  it('records the training runs: config, epochs with validation and test recall, the chosen epoch', () => {
    expect(report.learners.map((v) => [v.name, v.agent])).toEqual([
      ['ranker', 'ranker'],
      ['dqn', 'dqn'],
    ]);
    const [ranker, variant] = report.learners;
    expect(ranker.config.epochs).toBe(2);
    expect((ranker.config as Record<string, unknown>).batchSize).toBe(64);
    expect(ranker.runs[0].backend).toBe('js');
    expect(variant.config.epochs).toBe(2);
    expect((variant.config as Record<string, unknown>).itemDim).toBe(8);
    const [run] = variant.runs;
    expect(run.seed).toBe(0);
    expect(run.epochs).toHaveLength(2);
    expect(run.bestEpoch).toBeGreaterThanOrEqual(0);
    expect(run.bestEpoch).toBeLessThan(2);
    for (const epoch of run.epochs) {
      expect(epoch.validation['recall@20']).toBeGreaterThanOrEqual(0);
      expect(epoch.test['recall@20']).toBeGreaterThanOrEqual(0);
      expect(epoch.gradientSteps).toBeGreaterThan(0);
    }
    expect(report.timings.totalSeconds).toBeGreaterThan(0);
  });

  it('writes compare.json, compare.md, the SVG plots and the checkpoint', () => {
    const written = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as CompareReport;
    expect(written.table).toEqual(report.table);
    expect(written.differences).toEqual(report.differences);
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(md).toContain(`\`${report.command}\``);
    expect(md).toMatch(/^\| agent \| full recall@20 \[95% CI\] \| sampled hr@10 \[95% CI\] \| seed recall@4 \[95% CI\] \|$/m);
    expect(md).toContain('## Paired differences to `recent`');
    expect(md).toMatch(/^\| random \(expected\) \| .* \| 0\.8000 \|$/m);
    // The refit's test figure and the chosen epoch's sit side by side only with the reason they differ.
    for (const run of report.learners.flatMap((v) => v.runs)) {
      const chosen = run.epochs[run.bestEpoch].test['recall@20'].toFixed(4);
      expect(run.refit?.epochs).toBe(run.bestEpoch + 1);
      expect(md).toContain(
        `Refit: retrained from scratch for ${run.bestEpoch + 1} epoch(s) on [2014-11-18, 2014-11-23), the validation day(s) included, as the baselines see them; ` +
          `the results above evaluate this agent (test recall@20 ${run.refit!.test['recall@20'].toFixed(4)} in training's evaluation), not epoch ${run.bestEpoch + 1}'s above (${chosen}), so the two figures differ.`,
      );
    }
    const withoutRefit = compareMarkdown({ ...report, learners: report.learners.map((v) => ({ ...v, runs: v.runs.map((r) => ({ ...r, refit: null })) })) });
    expect(withoutRefit).toMatch(/^No refit \(`--no-refit`\): the results above evaluate epoch [12]'s agent \(test recall@20 \d\.\d{4} here\), which never saw the validation day\(s\)\.$/m);
    expect(withoutRefit).not.toContain('Refit:');
    const curves = readFileSync(join(out, 'learning-curves.svg'), 'utf8');
    expect(curves.startsWith('<svg')).toBe(true);
    for (const title of ['Training loss', 'DQN: mean reward per transition', 'DQN: TD loss', 'Recall@20, full protocol']) expect(curves).toContain(title);
    const bars = readFileSync(join(out, 'recall-by-agent.svg'), 'utf8');
    expect(bars.match(/class="bar"/g)?.length).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(out, 'model', 'dqn', 'manifest.json'))).toBe(true);
    expect(existsSync(join(out, 'model', 'ranker', 'manifest.json'))).toBe(true);
  });

  it('gives the same results for the same seed', async () => {
    const again = await compare(join(dir, 'run-again'), '--json');
    const second = JSON.parse(again.stdout) as CompareReport;
    expect(second.table).toEqual(report.table);
    expect(second.differences).toEqual(report.differences);
    for (const v of [0, 1]) expect(second.learners[v].runs[0].epochs.map((e) => e.loss)).toEqual(report.learners[v].runs[0].epochs.map((e) => e.loss));
  });

  it('trains the ranker 2 epochs and the DQN 1 by default', async () => {
    const result = await runCli(['compare', '--data', data, '--dqn-config', config, '--ranker-config', rankerConfig, '--resamples', '20', '--out', join(dir, 'run-default-epochs'), '--json']);
    expect(result.code).toBe(0);
    const defaults = JSON.parse(result.stdout) as CompareReport;
    expect(defaults.learners.map((v) => [v.name, v.config.epochs])).toEqual([
      ['ranker', 2],
      ['dqn', 1],
    ]);
  });

  it('prints one table with the headline metrics and the differences, and names the files', async () => {
    const result = await compare(join(dir, 'run-text'), '--epochs', '1');
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/^agent\s+full recall@20 \[95% CI\]\s+sampled hr@10 \[95% CI\]\s+seed recall@4 \[95% CI\]$/m);
    for (const agent of AGENTS) expect(text).toMatch(new RegExp(`^${agent}\\s+\\d\\.\\d{4} \\[`, 'm'));
    expect(text).toMatch(/^random \(expected\)\s+.*0\.8000$/m);
    expect(text).toContain('paired difference to recent [95% CI]');
    expect(text).toMatch(/^dqn\s+full\s+recall@20\s+[+-]\d\.\d{4} \[/m);
    expect(text).toContain('each trained agent paired with every other agent [95% CI]');
    expect(text).toMatch(/^dqn\s+popularity\s+full\s+recall@20\s+[+-]\d\.\d{4} \[/m);
    expect(text).toMatch(/^dqn\s+ranker\s+full\s+recall@20\s+[+-]\d\.\d{4} \[/m);
    expect(text).toContain(`wrote ${join(dir, 'run-text', 'compare.json')}`);
  });
});

describe('npm start', () => {
  it('runs recgym compare', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node dist/src/cli/main.js compare');
  });
});

describe('recgym compare errors', () => {
  it.each([
    [['--seed', '1', '--seeds', '0,1'], 'expected --seed or --seeds, actual both'],
    [['--seeds', '0,0'], '--seeds: expected distinct seeds, actual "0,0"'],
    [['--seeds', '0,,1'], '--seeds: expected a comma-separated list, actual "0,,1"'],
    [['--epochs', '0'], '--epochs: expected an integer >= 1'],
    [['--backend', 'gpu'], '--backend: expected auto, tensorflow, wasm, cpu, actual "gpu"'],
    [['--format', 'tianchi'], '--format: expected only with --data'],
    [['--test-day', '2014-12-18', '--test-start', '2014-12-18T02:00'], 'expected --test-day or --test-start, actual both'],
    [['--bogus'], 'unknown flag --bogus: expected one of --data, '],
  ])('exits 2 with a usage message for %j', async (args, message) => {
    const result = await runCli(['compare', ...args, '--out', join(dir, 'never')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: recgym compare');
  });

  it('exits 1 naming a missing data file', async () => {
    const result = await runCli(['compare', '--data', join(dir, 'missing.csv'), '--out', join(dir, 'err')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing.csv');
  });

  it('exits 2 for a config file that is not a DQN or ranker config, naming the flag', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ itemDim: -1 }));
    const result = await runCli(['compare', '--data', data, '--dqn-config', bad, '--out', join(dir, 'err')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--dqn-config ${bad}: DQN config: itemDim`);
    const ranker = await runCli(['compare', '--data', data, '--ranker-config', bad, '--out', join(dir, 'err')]);
    expect(ranker.code).toBe(2);
    expect(ranker.stderr).toContain(`--ranker-config ${bad}: ranker config: (config): Unrecognized key: "itemDim"`);
    writeFileSync(bad, '[1]');
    expect((await runCli(['compare', '--data', data, '--dqn-config', bad, '--out', join(dir, 'err')])).stderr).toContain('expected a JSON object of dqn options, actual an array');
  });

  it('exits 1 when the out folder cannot be created', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const result = await runCli(['compare', '--data', data, '--out', join(file, 'results')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`recgym compare: --out ${join(file, 'results')}: expected a writable directory, actual ${file} is a file\n`);
  });

  it('exits 1 when no day is left for training before the validation day', async () => {
    const result = await runCli(['compare', '--data', data, '--dqn-config', config, '--test-day', '2014-11-19', '--out', join(dir, 'err')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('training: expected training days before');
  });
});
