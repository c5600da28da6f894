import { describe, expect, it } from 'vitest';
import { labelledLines, markdownTable, textTable } from '../../src/report/table.js';

describe('textTable', () => {
  it('aligns the label column left and the others right, under a rule, without trailing blanks', () => {
    const text = textTable(['agent', 'recall'], [['recent', '0.4542'], ['random (expected)', '0.0035'], ['x', '>0  ']]);
    expect(text).toBe(
      ['agent              recall', '-----------------  ------', 'recent             0.4542', 'random (expected)  0.0035', 'x                    >0'].join('\n'),
    );
  });

  it('aligns every column right with leftColumns 0', () => {
    expect(textTable(['epoch', 'loss'], [['1', '2.6106'], ['2*', '2.5746']], { leftColumns: 0 })).toBe(
      ['epoch    loss', '-----  ------', '    1  2.6106', '   2*  2.5746'].join('\n'),
    );
  });
});

describe('markdownTable', () => {
  it('writes a header, the alignment row and one line per row', () => {
    expect(markdownTable(['agent', 'recall'], [['recent', '0.4542']])).toBe('| agent | recall |\n| --- | ---: |\n| recent | 0.4542 |');
  });
});

describe('labelledLines', () => {
  it('pads the labels to the longest; an empty label indents a continuation', () => {
    expect(labelledLines([['rows', '12'], ['test day', '2014-12-18'], ['', '(more)']])).toBe('rows      12\ntest day  2014-12-18\n          (more)');
  });
});
