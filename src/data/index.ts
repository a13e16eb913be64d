// The data pipeline (runtime-agnostic part): lines → delimited rows → FeatureMap → encoded
// dataset → cache bytes / splits / shuffled batches, plus the synthetic generator. Node file
// helpers (readFileBytes, cache files) are in node.ts.
export { readLineBatches, readLines } from "./lines.js";
export type { ByteSource, Line, LineBatch, LineOptions } from "./lines.js";
export { DataError, NUMERIC_TRANSFORMS, formatRowError } from "./schema.js";
export type {
  CellMap, ColumnSpec, ColumnType, DerivedField, EncodingOptions, FieldSpec, FieldType, NumericTransform, RawRow,
  RawValue, RowError,
} from "./schema.js";
export { parseNumber, splitQuoted } from "./cells.js";
export { openDelimited } from "./delimited.js";
export type { DelimitedOptions, DelimitedReader, ReaderStats } from "./delimited.js";
export { CRITEO_CATEGORICAL, CRITEO_FIELDS, CRITEO_NUMERIC, criteoColumns, criteoOptions } from "./criteo.js";
export type { CriteoOptions } from "./criteo.js";
export { avazuOptions, parseAvazuHour } from "./avazu.js";
export type { AvazuHour } from "./avazu.js";
export { applyTransform, bucketize, criteoBucket, log1pBucket } from "./transform.js";
export { forEachRow } from "./rows.js";
export type { RowSource } from "./rows.js";
export {
  FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION, FeatureMap, FeatureMapBuilder, MISSING_ID, OOV_ID, RESERVED_IDS,
} from "./feature-map.js";
export type { FeatureMapJson, FeatureMapOptions, FieldInfo, Token } from "./feature-map.js";
export {
  SPLIT_STREAM, createDataset, encodeRows, randomSplit, selectRows, sliceDataset, splitByOrder, splitDataset,
} from "./dataset.js";
export type { EncodeOptions, EncodedDataset } from "./dataset.js";
export { batches, fillBatch, permutation, shuffledOrder } from "./batcher.js";
export type { Batch, BatchOptions } from "./batcher.js";
export {
  CACHE_MAGIC, CACHE_VERSION, cacheLayout, datasetChecksum, decodeCache, decodeCacheHeader, decodeCachePreamble, encodeCache, encodeCacheParts,
} from "./cache.js";
export type { CacheHeader, CacheLayout, DecodeCacheOptions } from "./cache.js";
export { prepareDataset } from "./prepare.js";
export { NoRowsError, looksUnlabeled, noRowsMessage, summarizeSkipped } from "./no-rows.js";
export { JsonError, lineColumn, parseJson, placeOfKey } from "./json.js";
export type { JsonOptions } from "./json.js";
export type { PrepareOptions, Prepared } from "./prepare.js";
export { SyntheticCtr } from "./synthetic.js";
export { CRITEO_CARDINALITIES, ZipfSampler, generateCriteo } from "./criteo-generator.js";
export type { CriteoGeneratorOptions } from "./criteo-generator.js";
export { parseSlots } from "./byte-rows.js";
export type { SlotRows } from "./byte-rows.js";
export { readByteLineBatches } from "./byte-lines.js";
export type { ByteLineBatch } from "./byte-lines.js";
export type { LogitPart, SyntheticOptions } from "./synthetic.js";
export { checksumWords, fingerprint } from "./hash.js";
export type { Shard, ShardedSplit } from "./shard-source.js";
export { shardsOf } from "./shards-of.js";
export { StreamCursor, defaultShuffleBuffer, predictStream, streamBatches } from "./stream.js";
export type { StreamBatch, StreamPassOptions } from "./stream.js";
// your own data: table formats, the dataset config, prepareDataset(config), the raw-row encoder, infer-config
export { TABLE_FORMATS, openTable } from "./formats/table.js";
export type { Cell, ColumnRef, TableFormat, TableOptions, TableReader, TableRow } from "./formats/table.js";
export { ConfigError, NORMALIZERS, resolveDatasetConfig } from "./config.js";
export type {
  Bucketize, CategoricalFeature, DatasetConfig, FeatureConfig, LabelConfig, Normalizer, NumericFeature, SequenceFeature,
} from "./config.js";
export { encodeCells, encodeRawRow, labelOf, rowPlan, sequenceValues, toCell } from "./encode-row.js";
export type { EncodedRow, FittedDense, FittedInputs, RowPlan } from "./encode-row.js";
export { dataConfigFromJSON, dataConfigToJSON, encodeRawFile, fitDense, prepareFromConfig, quantileBoundaries, sliceInputs } from "./prepare-config.js";
export type { ConfigPrepareOptions, DataConfigJson, EncodedTable, PreparedConfig, RawFileOptions, SplitName } from "./prepare-config.js";
export { inferConfig } from "./infer-config.js";
export type { ColumnGuess, InferOptions, InferredConfig } from "./infer-config.js";
export { CACHE_VERSION_INPUTS } from "./cache.js";
export type { CacheExtras, DatasetWithInputs } from "./cache.js";
export type { BagData, BagPooling } from "./bag-fields.js";
