/**
 * A copy of `s` that does not keep a larger string alive. V8 makes a substring of 13 characters
 * or more a view into its parent: a header value taken from a parsed message, kept in a
 * registration or a dialog, keeps the whole message text (about 1 KB) for as long as it lives.
 * Long-lived state stores what it takes from messages through this. (Flattening the cons string
 * copies the characters; the slice then views that copy, one character longer than `s`.)
 */
export function detachedString(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}
