// The contract for multi-valued (sequence, "bag") fields between data preparation and the engine.
// A dataset with Fb bag fields stores, for row r and bag field j, the global ids
// ids[offsets[r·Fb + j] .. offsets[r·Fb + j + 1]) — rows of the same embedding table as the
// single-valued fields (the FeatureMap gives each bag field its own id range). The model sees
// the F single-valued fields and then the Fb pooled fields: e [B, F + Fb, dim], where a pooled
// field is the sum or the mean of its values' (dequantized) rows; an empty bag pools to zeros.

/** How a bag field's rows are pooled. */
export type BagPooling = "mean" | "sum";

/** The bag fields of n rows (of a dataset, or of a batch with offsets starting at 0). */
export interface BagData {
  /** Number of bag fields Fb (≥ 1). */
  fields: number;
  /** One pooling per bag field. */
  pooling: readonly BagPooling[];
  /** i32 [n·Fb + 1], non-decreasing, offsets[0] = 0, offsets[n·Fb] = ids.length. */
  offsets: Int32Array;
  /** i32 [offsets[n·Fb]] global ids. */
  ids: Int32Array;
  /** Names of the bag fields, for messages and configs. */
  names?: readonly string[];
}
