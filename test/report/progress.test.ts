import { describe, expect, it } from 'vitest';
import { createPercentLine, createProgress, formatSeconds } from '../../src/report/progress.js';

function sink(isTTY: boolean) {
  const s = { isTTY, text: '', stderr: (t: string) => void (s.text += t) };
  return s;
}

describe('createProgress', () => {
  it('draws nothing during the first second of a task', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s, { now: () => t });
    p.update('recent', 0, 10);
    t = 999;
    p.update('recent', 5, 10);
    p.finish();
    expect(s.text).toBe('');
  });

  it('draws a bar with the rate, elapsed time and ETA on a TTY and clears it at the end', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s, { now: () => t });
    p.update('recent seed 0', 0, 10, { unit: 'cases' });
    t = 2000;
    p.update('recent seed 0', 5, 10, { unit: 'cases', note: 'loss 0.5' });
    expect(s.text).toBe('\rrecent seed 0 [###############...............] 5/10 cases, 2.5 cases/s, 2.0s elapsed, ETA 2.0s loss 0.5\x1b[K');
    p.finish();
    expect(s.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('times a task first heard of with work done from the previous report', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s, { now: () => t });
    t = 4000;
    p.update('validation', 40, 100, { unit: 'cases' });
    expect(s.text).toContain('40/100 cases, 10.0 cases/s, 4.0s elapsed, ETA 6.0s');
  });

  it('writes few plain lines when stderr is not a TTY: after 3 s, per 10 % at most every 5 s, a minute apart at most, and at 100 %', () => {
    let t = 0;
    const s = sink(false);
    const p = createProgress(s, { now: () => t });
    const total = 1000;
    // One update per 100 ms for 250 s of work: 2,500 calls.
    for (let k = 0; k <= 2500; k++) {
      t = k * 100;
      p.update('epoch 1/2', Math.floor((k * total) / 2500), total, { note: 'loss 1.0' });
    }
    p.finish();
    const lines = s.text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/^epoch 1\/2: 1% \(12\/1000 steps, 4\.0 steps\/s, 3\.0s elapsed, ETA 4m07s\) loss 1\.0$/);
    expect(lines[lines.length - 1]).toMatch(/^epoch 1\/2: 100% \(1000\/1000 steps, 4\.0 steps\/s, 4m10s elapsed, ETA 0\.0s\) loss 1\.0$/);
    expect(s.text).not.toContain('\r');
    // A task shorter than 3 s writes no line.
    const short = sink(false);
    const q = createProgress(short, { now: () => t });
    for (let k = 0; k <= 29; k++, t += 100) q.update('x', k, 29);
    q.finish();
    expect(short.text).toBe('');
  });

});

describe('formatSeconds', () => {
  it('writes seconds, minutes or hours', () => {
    expect([formatSeconds(4.25), formatSeconds(185), formatSeconds(7620)]).toEqual(['4.3s', '3m05s', '2h07m']);
  });
});

describe('createPercentLine', () => {
  it('redraws on a TTY only when the whole percent changes, and clears at the end', () => {
    const s = sink(true);
    const line = createPercentLine(s, 'reading log.csv');
    line.update(10, 1000);
    line.update(12, 1000);
    line.update(500, 1000);
    line.update(0, 0);
    line.finish();
    expect(s.text).toBe('\rreading log.csv 1%\rreading log.csv 50%\rreading log.csv 100%\r\x1b[K');
  });

  it('writes nothing when stderr is not a TTY', () => {
    const s = sink(false);
    const line = createPercentLine(s, 'reading log.csv');
    line.update(1, 2);
    line.finish();
    expect(s.text).toBe('');
  });
});
