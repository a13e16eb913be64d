// Strict JSON (RFC 8259) for files people edit or hand us: objects come back with a null
// prototype (a key "__proto__" or "constructor" is just a key), nesting is limited (a 20k-deep
// array is an error, not a stack overflow), numbers must be finite, duplicate keys are errors, and
// a leading UTF-8 BOM is skipped. Errors are one line, `file:line:column: reason`, and never quote
// the text (the file may not be ours to show: a path in a manifest can point anywhere). placeOfKey
// gives the file:line:column of a key of a parsed object, for errors about its value.

/** A JSON syntax error at a place in a file. */
export class JsonError extends Error {
  override name = "JsonError";
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly reason: string) {
    super(`${file}:${line}:${column}: not valid JSON: ${reason}`);
  }
}

/** Where the keys of each parsed object are: object → (file, text, key → offset). */
const KEY_PLACES = new WeakMap<object, { file: string; text: string; keys: Map<string, number> }>();

/** `file:line:column` of `key` in an object returned by parseJson (undefined for other objects). */
export function placeOfKey(obj: object, key: string): string | undefined {
  const p = KEY_PLACES.get(obj);
  const at = p?.keys.get(key);
  if (!p || at === undefined) return undefined;
  const { line, column } = lineColumn(p.text, at);
  return `${p.file}:${line}:${column}`;
}

/** Options of parseJson. */
export interface JsonOptions {
  /** Deepest accepted nesting of arrays and objects (default 64). */
  maxDepth?: number;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: pos - start + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const WORDS = ["true", "false", "null"] as const;
const VALUES = { true: true, false: false, null: null };

/** What is at `pos`, for messages: a printable ASCII character is named, anything else is not. */
function what(text: string, pos: number): string {
  if (pos >= text.length) return "the end of the file";
  const c = text[pos]!;
  return c >= " " && c <= "~" ? `"${c}"` : `character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Parses `text` (the content of `file`) as strict JSON into null-prototype objects. */
export function parseJson(text: string, file: string, options: JsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 64;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (reason: string, at = pos): never => {
    const { line, column } = lineColumn(text, at);
    throw new JsonError(file, line, column, reason);
  };
  const space = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
      else if (c === 47 && (text[pos + 1] === "/" || text[pos + 1] === "*")) fail("comments are not allowed in JSON");
      else return;
    }
  };
  const unexpected = (expected: string): never => {
    if (pos >= text.length) fail(`unexpected end of the file, expected ${expected}`);
    const rest = text.slice(pos, pos + 9);
    for (const w of ["NaN", "Infinity", "-Infinity", "undefined"]) {
      if (rest.startsWith(w)) fail(`${w} is not a JSON value (use a number or null)`);
    }
    if (text[pos] === "'") fail("strings must be in double quotes");
    return fail(`unexpected ${what(text, pos)}, expected ${expected}`);
  };
  const string = (): string => {
    const open = pos++;
    let out = "";
    for (;;) {
      let i = pos;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 34 || c === 92 || c < 32) break;
        i++;
      }
      out += text.slice(pos, i);
      pos = i;
      if (pos >= text.length) fail("unterminated string", open);
      const c = text[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c !== "\\") fail("a control character inside a string (escape it)");
      const e = text[pos + 1] ?? "";
      if (e === "u") {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("\\u must be followed by 4 hexadecimal digits");
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else if (e in ESCAPES) {
        out += ESCAPES[e];
        pos += 2;
      } else fail(`invalid escape \\${what(text, pos + 1).replace(/"/g, "")}`);
    }
  };
  const value = (depth: number): unknown => {
    space();
    const c = text[pos];
    if (c === "{" || c === "[") {
      if (depth >= maxDepth) fail(`nested deeper than ${maxDepth} levels`);
      return c === "{" ? object(depth + 1) : array(depth + 1);
    }
    if (c === '"') return string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (!m || m[0] === "-") return unexpected("a value");
      const v = Number(m[0]);
      if (!Number.isFinite(v)) fail("the number is too large for a double");
      const start = pos;
      pos += m[0].length;
      if (/[0-9.eE]/.test(text[pos] ?? "")) fail("malformed number (leading zero, or a misplaced \".\" or exponent)", start);
      return v;
    }
    for (const w of WORDS) {
      if (text.startsWith(w, pos)) {
        pos += w.length;
        return VALUES[w];
      }
    }
    return unexpected("a value");
  };
  const array = (depth: number): unknown[] => {
    pos++;
    const out: unknown[] = [];
    space();
    if (text[pos] === "]") {
      pos++;
      return out;
    }
    for (;;) {
      out.push(value(depth));
      space();
      if (text[pos] === ",") {
        pos++;
        space();
        if (text[pos] === "]") fail("trailing comma before ]");
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return out;
      }
      unexpected(`"," or "]"`);
    }
  };
  const object = (depth: number): Record<string, unknown> => {
    pos++;
    const out = Object.create(null) as Record<string, unknown>;
    const keys = new Map<string, number>();
    KEY_PLACES.set(out, { file, text, keys });
    space();
    if (text[pos] === "}") {
      pos++;
      return out;
    }
    for (;;) {
      space();
      if (text[pos] !== '"') {
        if (text[pos] === "}") fail("trailing comma before }");
        if (/[A-Za-z_$]/.test(text[pos] ?? "")) fail("object keys must be strings in double quotes");
        unexpected("a key in double quotes");
      }
      const keyAt = pos;
      const key = string();
      if (Object.prototype.hasOwnProperty.call(out, key)) fail(`the key "${key.slice(0, 60)}" appears twice in this object`, keyAt);
      keys.set(key, keyAt);
      space();
      if (text[pos] !== ":") unexpected(`":" after the key`);
      pos++;
      out[key] = value(depth);
      space();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "}") {
        pos++;
        return out;
      }
      unexpected(`"," or "}"`);
    }
  };
  space();
  if (pos >= text.length) fail("the file is empty, expected a JSON value");
  const v = value(0);
  space();
  if (pos < text.length) fail(`unexpected ${what(text, pos)} after the end of the JSON value`);
  return v;
}
