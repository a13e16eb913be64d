// Evaluation metrics of CTR models: exact AUC, log loss, group AUC.
export { auc } from "./auc.js";
export { LOGLOSS_EPS, logloss } from "./logloss.js";
export { gauc, gaucDetails } from "./gauc.js";
export type { GaucOptions, GaucResult } from "./gauc.js";
