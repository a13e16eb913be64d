// Command-line parsing shared by every `alpt` command: a declarative list of flags per command
// (`--name value`, `--name=value`, `--flag` / `--no-flag` for booleans), typed values with
// messages that name the flag, the expected type and the value given, generated --help text,
// and the output channel (text for people, one JSON object per line with --json).

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Value types of flags (and of config keys, see config.ts). */
export type ValueType = "string" | "int" | "number" | "bool" | "ints" | "choice" | "number-or-choice";

/** One flag of a command. */
export interface FlagSpec {
  /** kebab-case, without the dashes. */
  name: string;
  type: ValueType;
  help: string;
  /** Shown in the help: the default value (as text). */
  default?: string;
  choices?: readonly string[];
  /** Smallest accepted value of int / number / ints. */
  min?: number;
  /** Largest accepted value (number). */
  max?: number;
  /** The only accepted values (int), e.g. bit widths 1..8 and 16. */
  oneOf?: readonly number[];
  /** The placeholder in the help ("N", "FILE", …). */
  metavar?: string;
  /**
   * Hints for refused values that name something the flag has under another name, keyed by the
   * value in lower case without separators ("rowwise-adagrad" → "rowwiseadagrad").
   */
  hints?: Record<string, string>;
}

/** A positional argument. */
export interface PositionalSpec {
  name: string;
  help: string;
  required: boolean;
  /** The last positional only: takes every further word too (FILE [FILE…]). */
  variadic?: boolean;
}

/** A command: its flags, positionals and help. */
export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  flags: FlagSpec[];
  /** Lines after the flag list (formats, examples). */
  details?: string;
}

/** A parsed value. */
export type Value = string | number | boolean | number[];

/** The result of parsing one command line. */
export interface Parsed {
  flags: Map<string, Value>;
  positionals: string[];
  json: boolean;
  help: boolean;
}

const COMMON: FlagSpec[] = [
  { name: "json", type: "bool", help: "machine-readable output: one JSON object per line on stdout" },
  { name: "help", type: "bool", help: "show this help" },
];

/** Levenshtein distance (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** " (did you mean X?)" when a candidate is close to `word`, else "". */
export function didYouMean(word: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  let best = "", bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean ${show(best)}?)` : "";
}

/** What a value of `spec` must look like, for messages. */
export function expectation(spec: Pick<FlagSpec, "type" | "choices" | "min" | "max" | "oneOf">): string {
  if (spec.oneOf) return `one of ${spec.oneOf.join(", ")}`;
  const range = spec.min !== undefined && spec.max !== undefined ? ` in [${spec.min}, ${spec.max}]` : spec.min !== undefined ? ` ≥ ${spec.min}` : "";
  switch (spec.type) {
    case "int": return `an integer${range}`;
    case "number": return `a number${range}`;
    case "ints": return `a comma-separated list of integers${range}`;
    case "bool": return "true or false";
    case "choice": return `one of ${spec.choices!.join(", ")}`;
    case "number-or-choice": return `a positive number or one of ${spec.choices!.join(", ")}`;
    default: return "a string";
  }
}

/** " (hint)" when `raw` is a refused value the spec has a hint for, else "". */
export function hintFor(spec: Pick<FlagSpec, "hints">, raw: unknown): string {
  if (!spec.hints || typeof raw !== "string") return "";
  const h = spec.hints[raw.toLowerCase().replace(/[^a-z0-9]/g, "")];
  return h ? ` (${h})` : "";
}

/**
 * Converts a value (a command-line string, or a JSON value from a config file) to the type of
 * `spec`; returns an error text (what was expected) when it does not fit.
 */
export function convert(spec: Pick<FlagSpec, "type" | "choices" | "min" | "max" | "oneOf">, raw: unknown, fromJson = false): Value | { error: string } {
  const bad = { error: expectation(spec) };
  // command-line words are text; JSON values must have the JSON type (16, not "16")
  const text = !fromJson;
  const num = (v: unknown): number => (typeof v === "number" ? v : text && typeof v === "string" && v.trim() !== "" ? Number(v) : NaN);
  const inRange = (v: number) => (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max)
    && (spec.oneOf === undefined || spec.oneOf.includes(v));
  switch (spec.type) {
    case "string":
      return typeof raw === "string" && raw !== "" ? raw : bad;
    case "int": {
      const v = num(raw);
      return Number.isSafeInteger(v) && inRange(v) ? v : bad;
    }
    case "number": {
      const v = num(raw);
      return Number.isFinite(v) && inRange(v) ? v : bad;
    }
    case "bool":
      if (typeof raw === "boolean") return raw;
      return text && raw === "true" ? true : text && raw === "false" ? false : bad;
    case "ints": {
      const parts = Array.isArray(raw) ? raw : text && typeof raw === "string" ? (raw.trim() === "" ? [] : raw.split(",")) : undefined;
      if (!parts) return bad;
      const vs = parts.map(num);
      return vs.every((v) => Number.isSafeInteger(v) && inRange(v)) ? vs : bad;
    }
    case "choice": {
      const s = typeof raw === "string" ? spec.choices!.find((c) => c.toLowerCase() === raw.toLowerCase()) : undefined;
      return s ?? bad;
    }
    case "number-or-choice": {
      if (typeof raw === "string" && spec.choices!.includes(raw)) return raw;
      const v = num(raw);
      return Number.isFinite(v) && v > 0 ? v : bad;
    }
  }
}

/** Parses `argv` (the words after the command name) against `spec`. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags = new Map<string, Value>();
  const positionals: string[] = [];
  const all = [...spec.flags, ...COMMON];
  const byName = new Map(all.map((f) => [f.name, f]));
  const cmd = `alpt ${spec.name}`;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPositionals || !a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    if (a === "--") {
      onlyPositionals = true;
      continue;
    }
    if (a === "-h") {
      flags.set("help", true);
      continue;
    }
    if (!a.startsWith("--")) throw new UsageError(`unknown option ${a} for ${cmd} (options start with --)`);
    const eq = a.indexOf("=");
    let name = a.slice(2, eq < 0 ? undefined : eq);
    let inline: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    let f = byName.get(name);
    if (!f && name.startsWith("no-") && byName.get(name.slice(3))?.type === "bool" && inline === undefined) {
      name = name.slice(3);
      f = byName.get(name);
      inline = "false";
    }
    if (!f) throw new UsageError(`unknown option --${name} for ${cmd}${didYouMean(name, all.map((x) => x.name), (c) => `--${c}`)}`);
    if (flags.has(name)) throw new UsageError(`option --${name} is given twice`);
    let raw: string;
    if (inline !== undefined) raw = inline;
    else if (f.type === "bool") raw = "true";
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new UsageError(`option --${name} needs a value: ${expectation(f)}`);
      raw = next;
      i++;
    }
    const v = convert(f, raw);
    if (typeof v === "object" && !Array.isArray(v)) throw new UsageError(`option --${name} expects ${v.error}, got ${JSON.stringify(raw)}${hintFor(f, raw)}`);
    flags.set(name, v);
  }
  const help = flags.get("help") === true;
  const json = flags.get("json") === true;
  flags.delete("help");
  flags.delete("json");
  if (!help) {
    const required = spec.positionals.filter((p) => p.required).length;
    if (positionals.length < required) {
      throw new UsageError(`missing ${spec.positionals[positionals.length]!.name.toUpperCase()} (usage: ${cmd} ${spec.positionals.slice(0, required).map((p) => p.name.toUpperCase()).join(" ")} [options])`);
    }
    const variadic = spec.positionals[spec.positionals.length - 1]?.variadic === true;
    if (!variadic && positionals.length > spec.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[spec.positionals.length])} (${cmd} takes ${spec.positionals.length === 0 ? "no arguments, only options" : `at most ${spec.positionals.map((p) => p.name.toUpperCase()).join(" ")}`})`);
  }
  return { flags, positionals, json, help };
}

/** The --help text of a command. */
export function helpText(spec: CommandSpec): string {
  const pos = spec.positionals.map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`) + (p.variadic ? ` [${p.name.toUpperCase()}…]` : "")).join(" ");
  const lines = [`alpt ${spec.name} — ${spec.summary}`, "", `Usage: alpt ${spec.name}${pos ? " " + pos : ""} [options]`, ""];
  if (spec.positionals.length) {
    for (const p of spec.positionals) lines.push(`  ${p.name.toUpperCase().padEnd(26)}${p.help}`);
    lines.push("");
  }
  lines.push("Options:");
  for (const f of [...spec.flags, ...COMMON]) {
    const meta = f.type === "bool" ? "" : ` ${f.metavar ?? (f.type === "choice" ? f.choices!.join("|") : f.type === "ints" ? "N,N,…" : f.type === "int" ? "N" : f.type === "number" ? "X" : "VALUE")}`;
    const left = `  --${f.name}${meta}`;
    const right = f.help + (f.default !== undefined ? ` (default ${f.default})` : "");
    lines.push(left.length < 28 ? left.padEnd(28) + right : `${left}\n${" ".repeat(28)}${right}`);
  }
  if (spec.details) lines.push("", spec.details.trimEnd());
  lines.push("", "Exit codes: 0 ok, 1 runtime error (files, data, training), 2 usage error (flags, config).");
  return lines.join("\n");
}

/** Where a command writes: text for people, or JSON lines with --json. */
export interface Output {
  readonly json: boolean;
  /** A line of text (ignored with --json). */
  text(line: string): void;
  /** A JSON record (printed only with --json). */
  record(obj: Record<string, unknown>): void;
  /** A note on stderr (progress, warnings), in both modes. */
  note(line: string): void;
}

/** An Output over process streams. */
export function output(json: boolean): Output {
  return {
    json,
    text: (line) => {
      if (!json) process.stdout.write(line + "\n");
    },
    record: (obj) => {
      if (json) process.stdout.write(JSON.stringify(obj) + "\n");
    },
    note: (line) => {
      process.stderr.write(line + "\n");
    },
  };
}

/** A flag's value (typed by the caller, who knows the spec). */
export function flag<T extends Value>(p: Parsed, name: string): T | undefined {
  return p.flags.get(name) as T | undefined;
}
