// Preloaded into a child process of the scale suite (node --import): at exit, however the process
// ends (a CLI calls process.exit), writes {"maxRssMiB"} (process.resourceUsage().maxRSS, the peak
// resident set of the process) to the file named by ALPT_MAX_RSS_FILE.
import { writeFileSync } from "node:fs";

const file = process.env.ALPT_MAX_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 })));
