// Text from a user's file shown back to them: control characters escaped (no terminal escapes from a file
// reach the screen) and long text cut to a short prefix (an error message never echoes a 100 MB cell).

/**
 * `text` with control characters as \u escapes, cut to `max` characters with an ellipsis.
 * @example
 * preview('\x1b[31mred') // '\u001b[31mred'
 */
export function preview(text: string, max = 32): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
