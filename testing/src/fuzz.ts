/**
 * Malformed requests across every operation of an OpenAPI document, and the one rule every answer
 * must keep: never a 5xx, and every 4xx an RFC 9457 problem (`application/problem+json` with
 * type, title, status and detail). Used by the worker's fuzz test (inside workerd) and by
 * `pnpm fuzz <count>` against a local stack, so it needs nothing but `fetch`-era globals.
 *
 * Requests are malformed on purpose and never act: a body always carries at least one defect its
 * schema refuses, and routes that act without a body (pause, delete…) only ever get ids that name
 * nothing. The generator is seeded, so a failing run is reproduced by its seed.
 */

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The document's operation it was made from (`POST /v1/workspaces`). */
  operation: string;
  /** What was done to it, for reports. */
  defect: string;
}

export interface FuzzContext {
  /** The parsed OpenAPI document (`GET /openapi.json`). */
  document: unknown;
  /** A valid bearer token of the organization the requests are made as. */
  token: string;
  /** Ids that exist, used where a malformed body guarantees nothing is written. */
  ids: { repositoryId?: string; workspaceId?: string };
  /** A workspace VM's credential: the bearer of the routes a VM calls (`/v1/vm/…`). */
  vmCredential?: string;
  seed: number;
}

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  minimum?: number;
}

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body: Schema | null;
  /** The body is text in git's credential protocol (`text/plain`), not JSON. */
  gitCredentialText: boolean;
}

/** mulberry32: small, seeded, good enough to spread inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const uuid = () =>
    "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, () => Math.floor(next() * 16).toString(16));
  return { next, pick, uuid, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof prng>;

/** Strings that have broken servers: control bytes, bidi controls, unpaired surrogates, sizes, syntax. */
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "line\nbreak",
  "\r\n",
  "\u202Egnp.exe",
  "\u2066x\u2069",
  "\u2028",
  "\ud800",
  "\udfff",
  "\u0085",
  "\u007f",
  "x".repeat(10_000),
  "💥".repeat(60),
  "'; drop table cloud_workspaces; --",
  "../../etc/passwd",
  "%00",
  "<script>alert(1)</script>",
  "9223372036854775808",
  "-1",
  "NaN",
  "null",
  "{}",
];
/** Characters no field takes: appended to any string, they make it invalid. */
const REFUSED_EVERYWHERE = [
  "\u0000",
  "\n",
  "\r\n",
  "\u202E",
  "\u2066",
  "\u2028",
  "\ud800",
  "\u0085",
  "\u007f",
  "\u0001",
];
const NASTY_NUMBERS = [-1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0];
const NASTY_JSON = ["{oops", "", "\u0000", "[", '{"a":}', "nul", '"unterminated', "{}garbage"];
const NASTY_VALUES: unknown[] = [null, true, [], {}, [1, 2], "string", 42];
const NASTY_PATH_SEGMENTS = [
  "not-a-uuid",
  "%00",
  "%ZZ",
  "..%2F..%2Fetc",
  "%E2%80%AE",
  "00000000-0000-0000-0000-000000000000",
  "7F0C0D3E-8A51-4A39-9D59-1C1F1B8E0A11",
  encodeURIComponent(" 7f0c0d3e-8a51-4a39-9d59-1c1f1b8e0a11"),
  "x".repeat(2000),
  "%F0%9F%92%A5",
  "-1",
];
const NASTY_HEADER_VALUES = ["\u0001", "a\u0007b", "x".repeat(300), "\t", "key with spaces"];

function resolve(document: { components?: { schemas?: Record<string, Schema> } }, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split("/").at(-1)!;
  return document.components?.schemas?.[name] ?? {};
}

/** Every operation the document describes, with what the generator needs to know about it. */
export function operationsOf(document: unknown): Operation[] {
  const doc = document as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; in: string; schema?: Schema }[];
          requestBody?: { content?: Record<string, { schema?: Schema }> };
        }
      >
    >;
    components?: { schemas?: Record<string, Schema> };
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.["application/json"]?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        query: params.filter((p) => p.in === "query").map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: body ? resolve(doc, body) : null,
        gitCredentialText: op.requestBody?.content?.["text/plain"] !== undefined,
      });
    }
  }
  return ops;
}

/** A value the schema accepts (near enough: a defect is always added on top). */
function validValue(name: string, schema: Schema, ctx: FuzzContext, r: Random): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.type === "integer" || schema.type === "number") return schema.minimum ?? 1;
  if (schema.type === "boolean") return true;
  if (schema.format === "uuid")
    return name === "repositoryId" ? (ctx.ids.repositoryId ?? r.uuid()) : r.uuid();
  if (schema.format === "date-time") return new Date(Date.now() + 86_400_000).toISOString();
  if (name === "cloneUrl") return `https://fuzz-${Math.floor(r.next() * 1e6)}.example.test/x.git`;
  if (name === "branch" || name === "defaultBranch") return "main";
  return `fuzz-${Math.floor(r.next() * 1e6)}`;
}

/** A body its schema must refuse: a valid one with one defect, or not an object at all. */
function defectiveBody(schema: Schema, ctx: FuzzContext, r: Random): { body: string; defect: string } {
  const props = Object.entries(schema.properties ?? {});
  const valid: Record<string, unknown> = {};
  for (const [name, s] of props) valid[name] = validValue(name, s, ctx, r);
  const strings = props.filter(
    ([, s]) => (s.type === "string" || s.enum) && !s.enum?.every((v) => typeof v !== "string"),
  );
  const numbers = props.filter(([, s]) => s.type === "integer" || s.type === "number");
  const required = schema.required ?? [];
  const kinds = [
    "unknown field",
    "not an object",
    "not JSON",
    ...(strings.length ? ["nasty string", "wrong type"] : []),
    ...(numbers.length ? ["nasty number"] : []),
    ...(required.length ? ["missing field"] : []),
  ];
  const kind = r.pick(kinds);
  switch (kind) {
    case "unknown field":
      return {
        body: JSON.stringify({ ...valid, [r.pick(["__proto__", "organizationId", "id", "fuzz"])]: "x" }),
        defect: kind,
      };
    case "not an object":
      return {
        body: JSON.stringify(
          r.pick(NASTY_VALUES.filter((v) => typeof v !== "object" || Array.isArray(v) || v === null)),
        ),
        defect: kind,
      };
    case "not JSON":
      return { body: r.pick(NASTY_JSON), defect: kind };
    case "nasty string": {
      const [name, s] = r.pick(strings);
      // Something the field's rules refuse whatever they are: control bytes are refused everywhere.
      // Inside the value, not at an end: names are trimmed, which would quietly drop a trailing one.
      const base = typeof valid[name] === "string" && !s.enum ? (valid[name] as string) : "xx";
      const nasty = r.pick(REFUSED_EVERYWHERE);
      const value = `${base.slice(0, 1)}${nasty}${base.slice(1)}`;
      return { body: JSON.stringify({ ...valid, [name]: value }), defect: `${kind} in ${name}` };
    }
    case "wrong type": {
      const [name] = r.pick(strings);
      return {
        body: JSON.stringify({ ...valid, [name]: r.pick([42, true, [], {}, null]) }),
        defect: `${kind} in ${name}`,
      };
    }
    case "nasty number": {
      const [name] = r.pick(numbers);
      return {
        body: JSON.stringify({
          ...valid,
          [name]: r.pick([...NASTY_NUMBERS.filter((n) => n < 0 || !Number.isInteger(n) || n > 1e6), "7"]),
        }),
        defect: `${kind} in ${name}`,
      };
    }
    default: {
      const name = r.pick(required);
      const { [name]: _, ...rest } = valid;
      return { body: JSON.stringify(rest), defect: `missing ${name}` };
    }
  }
}

/**
 * git's credential request with a defect the broker refuses whatever the workspace: lines that are
 * not `key=value`, a protocol other than http(s), no host or a host that is no host, line breaks or
 * NULs inside values, or more than the broker reads.
 */
function defectiveGitCredentialText(r: Random): { body: string; defect: string } {
  const host = r.pick(["github.com", "127.0.0.1:8080", "git.example.test"]);
  const kinds: [string, () => string][] = [
    [
      "not key=value",
      () => r.pick(["garbage", "protocol https\n", "=x\n", "{}", "", "\n\n\n", "PROTOCOL=https\n"]),
    ],
    ["wrong protocol", () => `protocol=${r.pick(["ssh", "ftp", "file", "", "HTTPS"])}\nhost=${host}\n`],
    ["no host", () => "protocol=https\npath=acme/api.git\n"],
    [
      "nasty host",
      () => `protocol=https\nhost=${r.pick(NASTY_STRINGS.filter((v) => !v.includes("\n")))}x/\n`,
    ],
    ["control byte", () => `protocol=https\nhost=${host}${r.pick(["\r", "\u0000", "\u0001"])}\n`],
    ["too large", () => `protocol=https\nhost=${host}\n${"wwwauth[]=x\n".repeat(2000)}`],
  ];
  const [defect, make] = r.pick(kinds);
  return { body: make(), defect };
}

function queryFor(op: Operation, r: Random): string {
  const params = new URLSearchParams();
  for (const q of op.query) {
    if (r.chance(0.4)) continue;
    const value = r.chance(0.5)
      ? r.pick(NASTY_STRINGS.filter((s) => s.length < 100))
      : r.pick([
          ...(q.schema.enum?.map(String) ?? []),
          "-1",
          "now",
          "1_0",
          "9223372036854775808_0",
          "0_-1",
          "1e3",
          "201",
          "true",
          "yes",
        ]);
    params.append(q.name, value);
  }
  if (r.chance(0.2))
    params.append(r.pick(["table", "where", "columns", "params[1]", "subset__where", "live_sse"]), "x");
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** `count` malformed requests, deterministic for a seed. */
export function* fuzzRequests(ctx: FuzzContext, count: number): Generator<FuzzRequest> {
  const r = prng(ctx.seed);
  const ops = operationsOf(ctx.document).filter((op) => op.path !== "/healthz");
  for (let i = 0; i < count; i++) {
    const op = r.pick(ops);
    const headers: Record<string, string> = { authorization: `Bearer ${ctx.token}` };
    let method = op.method;
    let body: string | undefined;
    const defects: string[] = [];
    // A route that acts without a body only ever names things that do not exist.
    const acts = op.method !== "GET" && !op.body && !op.gitCredentialText;
    // The routes a VM calls take its credential; everything else an API token.
    if (op.path.startsWith("/v1/vm/") && ctx.vmCredential)
      headers.authorization = `Bearer ${ctx.vmCredential}`;
    const idFor = (name: string) => {
      if (r.chance(0.5)) return r.pick(NASTY_PATH_SEGMENTS);
      if (!acts && name === "id" && ctx.ids.workspaceId && r.chance(0.5)) return ctx.ids.workspaceId;
      return r.uuid();
    };
    let path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => idFor(name));
    if (op.query.length) path += queryFor(op, r);
    if (op.body) {
      const made = defectiveBody(op.body, ctx, r);
      body = made.body;
      defects.push(made.defect);
      headers["content-type"] = r.chance(0.9)
        ? "application/json"
        : r.pick(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"]);
      if (r.chance(0.02)) body = JSON.stringify({ name: "x".repeat(70 * 1024) });
    } else if (op.gitCredentialText) {
      const made = defectiveGitCredentialText(r);
      body = made.body;
      defects.push(made.defect);
      headers["content-type"] = r.chance(0.9)
        ? "text/plain"
        : r.pick(["application/json", "text/plain; charset=latin1"]);
    } else if (op.method !== "GET" && r.chance(0.1)) {
      body = r.pick(NASTY_JSON);
      headers["content-type"] = "application/json";
      defects.push("unexpected body");
    }
    if (r.chance(0.15)) {
      const auth = r.pick([
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        `Bearer ${ctx.token} extra`,
        "Bearer cwk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer cwv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        `Bearer ${"x".repeat(5000)}`,
      ]);
      if (auth) headers.authorization = auth;
      else delete headers.authorization;
      defects.push("bad authorization");
    }
    if (r.chance(0.15)) {
      headers["idempotency-key"] = r.pick(NASTY_HEADER_VALUES);
      defects.push("bad Idempotency-Key");
    }
    if (r.chance(0.08)) {
      method = r.pick(
        ["PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "POST", "GET"].filter((m) => m !== op.method),
      );
      // A different method must not turn a bodiless action on into one on a real id.
      path = op.path.replace(/\{(\w+)\}/g, () => r.uuid());
      if (method === "GET") body = undefined;
      defects.push(`method ${method}`);
    }
    if (r.chance(0.03)) {
      path = r.pick([
        "/v1",
        "/v1/",
        "/v1/workspaces/",
        "/v1/nothing",
        "//v1/workspaces",
        "/v1/workspaces/%",
        "/openapi.json/x",
      ]);
      defects.push("unknown path");
    }
    yield {
      method,
      path,
      headers,
      body,
      operation: `${op.method} ${op.path}`,
      defect: defects.join(", ") || `${op.method} ${op.path} with ids that name nothing`,
    };
  }
}

/** What is wrong with an answer, or null when it keeps the rule. */
/**
 * The answer's text, except for a stream (an event stream that was accepted never ends): its first
 * bytes only, then it is cancelled.
 */
export async function answerText(res: Response): Promise<string> {
  if (!res.headers.get("content-type")?.startsWith("text/event-stream") || !res.body) return res.text();
  const reader = res.body.getReader();
  const first = await reader.read();
  await reader.cancel();
  return first.value ? new TextDecoder().decode(first.value) : "";
}

export function checkFuzzAnswer(status: number, contentType: string | null, text: string): string | null {
  if (status >= 500) return `answered ${status}`;
  if (status < 400) return null;
  if (contentType !== "application/problem+json") return `${status} without problem+json (${contentType})`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `${status} with a body that is not JSON`;
  }
  for (const member of ["type", "title", "detail"])
    if (typeof problem[member] !== "string") return `${status} problem without ${member}`;
  if (problem.status !== status) return `${status} problem saying status ${String(problem.status)}`;
  return null;
}
