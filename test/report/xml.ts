// A small well-formedness check for the generated SVG: every tag closes in order, attribute
// values are quoted, and text holds no raw "<" or stray "&".

/** Problems found in `doc` (empty when it is well formed). */
export function xmlProblems(doc: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < doc.length) {
    const lt = doc.indexOf("<", i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) problems.push(`stray & in text "${text}"`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(doc);
    if (!m) {
      problems.push(`malformed tag at ${lt}: ${doc.slice(lt, lt + 60)}`);
      break;
    }
    const [, close, name, attrs, selfClose] = m;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(attrs!)) problems.push(`stray & in attributes of <${name}>`);
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else if (!selfClose) stack.push(name!);
    i = tag.lastIndex;
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(", ")}`);
  return problems;
}
