// Cell-level parsing shared by the readers and the FeatureMap: RFC 4180 quoted cells within one
// line, and strict decimal numbers (integers on a fast path; no hex, no "Infinity", no empty cell).

/** Splits a line with quoted cells; returns the cells or the reason it is malformed. */
export function splitQuoted(text: string, delim: string, quote: string): string[] | string {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.startsWith(quote, i)) {
      let s = "";
      i += quote.length;
      for (;;) {
        const q = text.indexOf(quote, i);
        if (q < 0) return `unterminated quoted cell in column ${out.length + 1}`;
        s += text.slice(i, q);
        if (text.startsWith(quote, q + quote.length)) {
          s += quote;
          i = q + 2 * quote.length;
        } else {
          i = q + quote.length;
          break;
        }
      }
      out.push(s);
      if (i === n) return out;
      if (!text.startsWith(delim, i)) return `text after the closing quote of column ${out.length}`;
      i += delim.length;
    } else {
      const d = text.indexOf(delim, i);
      if (d < 0) {
        out.push(text.slice(i));
        return out;
      }
      out.push(text.slice(i, d));
      i = d + delim.length;
    }
    if (i === n) {
      out.push("");
      return out;
    }
  }
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a decimal number (integers on a fast path); NaN if `s` is not one. */
export function parseNumber(s: string): number {
  const n = s.length;
  let i = 0, neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    neg = true;
    i = 1;
  } else if (c0 === 43) i = 1;
  if (i === n || n - i > 15) return parseSlow(s);
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return parseSlow(s);
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

function parseSlow(s: string): number {
  const t = s.trim();
  return NUMBER_RE.test(t) ? Number(t) : NaN;
}
