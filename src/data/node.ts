// The Node-only part of the data pipeline: file bytes (with gunzip) and dataset cache files.
export { isGzipFile, readFileBytes } from "./source.js";
export type { FileBytesOptions } from "./source.js";
export { readCacheFile, writeCacheFile } from "./cache-file.js";
