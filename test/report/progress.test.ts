import { describe, expect, it } from 'vitest';
import { createPercentLine, createProgress } from '../../src/report/progress.js';

function sink(isTTY: boolean) {
  const s = { isTTY, text: '', stderr: (t: string) => void (s.text += t) };
  return s;
}

describe('createProgress', () => {
  it('draws nothing during the first second', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s, { now: () => t });
    t = 999;
    p.update('recent', 5, 10);
    p.finish();
    expect(s.text).toBe('');
  });

  it('draws on a TTY after a second and clears at the end', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s, { now: () => t });
    t = 1500;
    p.update('recent seed 0', 5, 10);
    expect(s.text).toContain('recent seed 0 [###############...............] 5/10 1.5s');
    p.finish();
    expect(s.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('never draws when stderr is not a TTY', () => {
    let t = 0;
    const s = sink(false);
    const p = createProgress(s, { now: () => t });
    t = 5000;
    p.update('x', 1, 2);
    p.finish();
    expect(s.text).toBe('');
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
