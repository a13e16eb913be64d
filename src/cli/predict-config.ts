// `alpt predict` for models trained on a config dataset (prepare --config): the raw rows, in the
// config's format, are encoded by encodeRawFile with the config and normalisers saved in the model
// file — the code prepare ran — and the encoded ids, dense inputs and bag fields go to the predictor. Whether
// the rows carry the label: --unlabeled, else a CSV header without the label column, else yes.
import { encodeRawFile } from "../data/prepare-config.js";
import type { RowError } from "../data/schema.js";
import { readFileBytes } from "../data/source.js";
import type { Predictor } from "../serve/predictor.js";

/** Whether a config CSV has the label column (its header names it), or undefined when it cannot tell. */
async function headerHasLabel(input: string, label: string | number, delimiter: string): Promise<boolean | undefined> {
  if (typeof label !== "string") return undefined;
  let first = "";
  const decoder = new TextDecoder();
  for await (const chunk of readFileBytes(input)) {
    first += decoder.decode(chunk, { stream: true });
    if (first.includes("\n") || first.length > 1 << 20) break;
  }
  const cells = (first.split(/\r?\n/)[0] ?? "").split(delimiter).map((c) => c.trim().replace(/^"|"$/g, ""));
  return cells.includes(label);
}

/** The predictions of a raw file of the config's format: `line,probability` CSV or JSON lines. */
export async function* predictConfigRows(input: string, predictor: Predictor, o: { unlabeled?: boolean; skip: boolean; csv: boolean; errors: RowError[]; count: { rows: number } }): AsyncGenerator<Uint8Array> {
  const { config, fitted } = predictor.info.dataConfig!;
  let labeled = o.unlabeled === undefined ? true : !o.unlabeled;
  if (o.unlabeled === undefined && config.format === "csv" && config.header) labeled = (await headerHasLabel(input, config.label.col, config.delimiter)) ?? true;
  const { dataset, lines } = await encodeRawFile(config, fitted, readFileBytes(input), { file: input, labeled, strict: !o.skip, onError: (e) => o.errors.push(e) });
  const probs = predictor.predictIds(dataset.ids, dataset.dense, dataset.bags);
  const enc = new TextEncoder();
  if (o.csv) yield enc.encode("line,probability\n");
  const fmt = (p: number) => String(Number(p.toPrecision(9)));
  for (let s = 0; s < probs.length; s += 4096) {
    let text = "";
    for (let k = s; k < Math.min(probs.length, s + 4096); k++) text += o.csv ? `${lines[k]},${fmt(probs[k]!)}\n` : `{"line":${lines[k]},"probability":${fmt(probs[k]!)}}\n`;
    yield enc.encode(text);
  }
  o.count.rows += probs.length;
}
