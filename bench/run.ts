import { formatCount } from '../src/report/format.js';
import { runMain, type BenchSuite, type Figure } from './lib.js';

/** Every suite, in run order; add one line per suite. */
const SUITES: ReadonlyArray<{ name: string; load: () => Promise<BenchSuite> }> = [
  { name: 'env-step', load: async () => (await import('./env-step.bench.js')).suite },
  { name: 'loader', load: async () => (await import('./loader.bench.js')).suite },
  { name: 'eval-full', load: async () => (await import('./eval-full.bench.js')).suite },
  { name: 'dqn-train', load: async () => (await import('./dqn-train.bench.js')).suite },
  { name: 'sim', load: async () => (await import('./sim.bench.js')).suite },
  { name: 'server-load', load: async () => (await import('./server-load.bench.js')).suite },
  { name: 'arena-load', load: async () => (await import('./arena-load.bench.js')).suite },
];

const HELP = `usage: npm run bench -- [--json] [--quick] [--only NAME[,NAME]]

  --json    print one JSON object of named figures (key -> value) on stdout
  --quick   small inputs (a smoke run; figures are not comparable to full runs)
  --only    run only these suites: ${SUITES.map((s) => s.name).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : undefined;
  const chosen = SUITES.filter((s) => !only || only.has(s.name));
  if (only && chosen.length !== only.size) {
    process.stderr.write(`bench: unknown suite in --only; expected some of ${SUITES.map((s) => s.name).join(', ')}\n`);
    return 2;
  }
  const log = (line: string) => void process.stderr.write(`${line}\n`);
  const figures: Figure[] = [];
  for (const entry of chosen) {
    log(`# ${entry.name}`);
    const suite = await entry.load();
    for (const figure of await suite.run({ quick, log })) {
      figures.push(figure);
      log(`  ${figure.key} = ${formatValue(figure.value)} ${figure.unit}  (${figure.what})`);
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(figures.map((f) => [f.key, f.value])))}\n`);
  } else {
    process.stdout.write(`| figure | value | unit | what |\n|---|---:|---|---|\n`);
    for (const f of figures) process.stdout.write(`| \`${f.key}\` | ${formatValue(f.value)} | ${f.unit} | ${f.what} |\n`);
  }
  return 0;
}

function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? formatCount(Math.round(value)) : value.toPrecision(3);
}

runMain('bench', main);
