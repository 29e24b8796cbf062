/**
 * What validators of this layer report: one issue per wrong field, with the path of the field
 * in the object that was checked (`privateIdentities[0].k`) and why it is wrong. Validators
 * collect every issue instead of stopping at the first, so that an operator sees them all.
 */
export interface ValidationIssue {
  /** Path of the field: property names joined by '.', array indexes in brackets. */
  field: string;
  message: string;
}

/** Joins a parent path and a property name: `at('a[0]', 'b')` is `a[0].b`, `at('', 'b')` is `b`. */
export function at(path: string, name: string | number): string {
  if (typeof name === 'number') return `${path}[${name}]`;
  return path === '' ? name : `${path}.${name}`;
}

/** A string of exactly `digits` hexadecimal digits (either case). */
export function isHex(value: unknown, digits: number): value is string {
  return typeof value === 'string' && value.length === digits && /^[0-9a-fA-F]*$/.test(value);
}

/** A non-negative safe integer no greater than `max`. */
export function isUnsigned(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/** A string that is not empty and holds no control characters (C0, DEL). */
export function isPrintable(value: unknown, maxLength = 1024): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxLength &&
    !/[\x00-\x1f\x7f]/.test(value)
  );
}
