// Which part of a parsed JSON file the object loaded from it does not write back: the keys a
// loader ignores (an unknown or renamed key, a value it normalised away) are found this way.

/**
 * The first part of `file` (a parsed JSON value) that `canonical` (what the loaded object writes
 * back) does not have or has with another value, as a key path; undefined when `file` is a part of
 * `canonical`. Keys the loader ignores (a renamed or unknown key) are found this way; keys the file
 * omits (defaults) are not an error.
 */
export function unusedPart(file: unknown, canonical: unknown, path: string): string | undefined {
  if (typeof file !== "object" || file === null || typeof canonical !== "object" || canonical === null) {
    return Object.is(file, canonical) || (file === canonical) ? undefined : `the value at ${path || "the top"}`;
  }
  if (Array.isArray(file) !== Array.isArray(canonical)) return `the value at ${path || "the top"}`;
  if (Array.isArray(file)) {
    const c = canonical as unknown[];
    if (file.length !== c.length) return `the length of ${path || "the top"}`;
    for (let i = 0; i < file.length; i++) {
      const f = file[i] as unknown;
      if ((typeof f !== "object" || f === null) && Object.is(f, c[i])) continue; // no path string per equal element
      const d = unusedPart(f, c[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const c = canonical as Record<string, unknown>;
  for (const [k, v] of Object.entries(file)) {
    const key = `${path}${path ? "." : ""}${k.slice(0, 40)}`;
    if (!Object.prototype.hasOwnProperty.call(c, k)) return `the key ${JSON.stringify(key)}`;
    const d = unusedPart(v, c[k], key);
    if (d !== undefined) return d;
  }
  return undefined;
}
