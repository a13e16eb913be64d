// Test fixtures made by code (no real data in the repository): temp dirs, chunked byte sources,
// small Criteo TSV from the synthetic generator and Avazu CSV rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SyntheticCtr } from "../../src/data/synthetic.js";

/** A fresh temp dir and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "alpt-data-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `bytes` cut into chunks at the given positions (or every `every` bytes). */
export function chunks(bytes: Uint8Array, cuts: number[] | { every: number }): Uint8Array[] {
  const at = Array.isArray(cuts) ? cuts : Array.from({ length: Math.ceil(bytes.length / cuts.every) }, (_, i) => i * cuts.every);
  const pos = [...new Set([0, ...at.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < pos.length; i++) out.push(bytes.slice(pos[i], pos[i + 1]));
  return out;
}

/** The same chunks as an async iterable (as a Node or WHATWG stream delivers them). */
export async function* asyncChunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

/** A small synthetic generator for reader fixtures. */
export function smallSynthetic(seed = 7): SyntheticCtr {
  return new SyntheticCtr({ seed, vocabSize: 2_000, interactionPairs: 2 });
}

export const AVAZU_HEADER =
  "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21";

/** An Avazu-format row: id, click, hour, then 21 categorical cells made from `k`. */
export function avazuRow(id: string, click: string, hour: string, k: number): string {
  const cells = Array.from({ length: 21 }, (_, j) => (j % 3 === 0 ? String((k + j) % 5) : ((k * 2654435761 + j) >>> 0).toString(16).slice(0, 8)));
  return [id, click, hour, ...cells].join(",");
}
