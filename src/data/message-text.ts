/** Code points a terminal may act on rather than show, beyond the C0 controls JSON escapes: DEL, C1 controls, line/paragraph separators, bidi controls. */
const UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a log quoted for a one-line message: clipped to `maxChars` (with `...`), in double
 * quotes, with every control or bidi character escaped (`\u001b`), so that no byte of the file
 * can move the cursor, recolour the terminal or break the line.
 */
export function quoteText(text: string, maxChars = 60): string {
  const clipped = text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
  return JSON.stringify(clipped).replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
