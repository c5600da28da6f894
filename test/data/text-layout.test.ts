import { describe, expect, it } from 'vitest';
import { carriageReturnsToLineFeeds, detectLayout, rewriteFields, rewritesFields } from '../../src/data/text-layout.js';

function rewritten(text: string, delimiter = ','): string {
  const buf = Buffer.from(text);
  return buf.toString('utf8', 0, rewriteFields(buf, 0, buf.length, delimiter.charCodeAt(0)));
}

describe('detectLayout', () => {
  it('leaves plain comma-separated text with LF or CRLF as it is', () => {
    for (const text of ['a,b\n1,2\n', 'a,b\r\n1,2\r\n', 'a,b\r\r\n1,2\r\r\n', '1,2']) {
      const layout = detectLayout(Buffer.from(text));
      expect(layout).toEqual({ lineEnd: 'lf', delimiter: 44, isQuoted: false });
      expect(rewritesFields(layout)).toBe(false);
    }
  });

  it('finds old Mac line ends, quotes, semicolons and tabs', () => {
    expect(detectLayout(Buffer.from('a,b\r1,2\r')).lineEnd).toBe('cr');
    expect(detectLayout(Buffer.from('"a","b"\n"1","2"\n'))).toEqual({ lineEnd: 'lf', delimiter: 44, isQuoted: true });
    expect(detectLayout(Buffer.from('\n\na;b;c\n1;2;3\n')).delimiter).toBe(59);
    expect(detectLayout(Buffer.from('a\tb\n1\t2\n')).delimiter).toBe(9);
    expect(detectLayout(Buffer.from('"a;b",c\n')).delimiter).toBe(44);
  });
});

describe('rewriteFields', () => {
  it('unquotes fields, keeps escaped quotes, turns separators inside quotes into spaces', () => {
    expect(rewritten('"1","2","x, ""y""",z\n"3",4\n')).toBe('1,2,x  "y",z\n3,4\n');
  });

  it('turns another delimiter into commas and its commas into spaces', () => {
    expect(rewritten('1;2,5;"a;b"\n', ';')).toBe('1,2 5,a b\n');
    expect(rewritten('1\t"2"\t3\n', '\t')).toBe('1,2,3\n');
  });

  it('ends an unclosed quote at the line end, so the next line is its own row', () => {
    expect(rewritten('"1,2\n3,4\n')).toBe('1 2\n3,4\n');
  });
});

describe('carriageReturnsToLineFeeds', () => {
  it('turns every CR in the range into a LF and nothing else', () => {
    const buf = Buffer.from('a\rb\rc\r');
    carriageReturnsToLineFeeds(buf, 0, 4);
    expect(buf.toString()).toBe('a\nb\nc\r');
  });
});
