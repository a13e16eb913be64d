#!/usr/bin/env node
// `npm run web`: serves the browser page (web/) and the built package (dist/) on localhost with
// the cross-origin-isolation headers (COOP same-origin, COEP require-corp) that SharedArrayBuffer,
// and so the kernel threads of the page's Web Worker, need. "/" redirects to /web/. Only files
// under web/ and dist/ are served: a path that resolves anywhere else (.., encoded slashes,
// symlinks out of the tree) gets 404. Options: --port N (default 8080, 0 = any free port),
// --host H (default 127.0.0.1). Prints "alpt web page: http://host:port/web/" once listening.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TREES = { web: join(ROOT, "web"), dist: join(ROOT, "dist") };

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8", ".ts": "text/plain; charset=utf-8",
};

/** The headers of every answer: cross-origin isolation, no sniffing, no caching (a dev server). */
export const HEADERS = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
};

/** The file a URL path names, or undefined when it is outside web/ and dist/. */
export async function fileOf(pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (path.includes("\0") || path.includes("\\")) return undefined;
  const [, top = "", ...rest] = path.split("/");
  const tree = TREES[top];
  if (!tree) return undefined;
  let file = resolve(tree, rest.join("/"));
  if (file !== tree && !file.startsWith(tree + sep)) return undefined;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const real = await realpath(file);
    const realTree = await realpath(tree);
    if (!real.startsWith(realTree + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the server; resolves with it once it listens. */
export function startServer({ port = 8080, host = "127.0.0.1", log = () => {} } = {}) {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { ...HEADERS, allow: "GET, HEAD" }).end();
        return;
      }
      if (url.pathname === "/" || url.pathname === "/web") {
        res.writeHead(302, { ...HEADERS, location: `/web/${url.search}` }).end();
        return;
      }
      const file = await fileOf(url.pathname);
      if (!file) {
        log(`${req.method} ${url.pathname} 404`);
        res.writeHead(404, { ...HEADERS, "content-type": "text/plain; charset=utf-8" }).end("not found\n");
        return;
      }
      const type = MIME[extname(file)] ?? "application/octet-stream";
      const { size } = await stat(file);
      log(`${req.method} ${url.pathname} 200 ${type}`);
      res.writeHead(200, { ...HEADERS, "content-type": type, "content-length": size });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).on("error", () => res.destroy()).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, HEADERS);
      res.end();
    });
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
  };
  const port = Number(arg("port", process.env.PORT ?? 8080));
  const host = arg("host", "127.0.0.1");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve-web: --port ${arg("port", "")} must be an integer in 0..65535`);
    process.exit(2);
  }
  const quiet = process.argv.includes("--quiet");
  try {
    const server = await startServer({ port, host, log: quiet ? () => {} : (line) => console.log(line) });
    const a = server.address();
    const shown = a.family === "IPv6" ? `[${a.address}]` : a.address;
    console.log(`alpt web page: http://${shown}:${a.port}/web/`);
    if (!(await fileOf("/dist/entry/default.js"))) console.warn("serve-web: dist/ is missing or incomplete: run `npm run build` first");
  } catch (err) {
    console.error(`serve-web: cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  }
}
