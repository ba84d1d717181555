/* docs/openapi.json for the tests: the document, a JSON Schema 2020-12 validator (ajv, strict)
 * that reaches every schema in it by its JSON pointer, and the judge of a real answer: the
 * status must be documented for the route and method, the Content-Type one the response lists,
 * the body valid against that content's schema, and every required header present and valid. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DOC_PATH = path.resolve(HERE, "..", "..", "docs", "openapi.json");
export const doc = JSON.parse(fs.readFileSync(DOC_PATH, "utf8"));

const BASE = "urn:fraudidx:openapi";
export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/* strictRequired is off: "not": {"required": [...]} names members the branch does not
 * define, which is how "match is absent when the verdict is unknown" is said. */
export const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
/* The document's own top-level members, so that the whole document can be added as one
 * schema resource and every schema in it reached by pointer, its $refs resolving as written. */
for (const k of ["openapi", "info", "jsonSchemaDialect", "servers", "tags", "paths",
                 "components", "security", "webhooks", "externalDocs"]) {
  ajv.addKeyword(k);
}
ajv.addSchema({ ...doc, $id: BASE });

export function pointer(parts) {
  return "#/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

export function at(parts) {
  let node = doc;
  for (const p of parts) {
    if (node === undefined) {
      return undefined;
    }
    node = node[p];
  }
  return node;
}

const compiled = new Map();
/* The validator of the schema at parts (compiled once, strictly: an unknown keyword throws). */
export function validatorAt(parts) {
  const key = pointer(parts);
  if (!compiled.has(key)) {
    compiled.set(key, ajv.compile({ $ref: BASE + key }));
  }
  return compiled.get(key);
}

export function validate(parts, value) {
  const v = validatorAt(parts);
  if (v(value)) {
    return null;
  }
  return ajv.errorsText(v.errors, { dataVar: "body" });
}

/* Follows a Reference Object to the path parts of what it names. */
export function resolve(parts) {
  let node = at(parts);
  for (let i = 0; node && node.$ref && i < 10; i++) {
    if (!node.$ref.startsWith("#/")) {
      throw new Error("only local references are expected: " + node.$ref);
    }
    parts = node.$ref.slice(2).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    node = at(parts);
  }
  if (node === undefined) {
    throw new Error("unresolved: " + pointer(parts));
  }
  return parts;
}

/* The documented path a request path falls under: exact paths first, then templates
 * ({name} is one non-empty segment). */
export function findPath(requestPath) {
  const templates = Object.keys(doc.paths);
  if (templates.includes(requestPath)) {
    return requestPath;
  }
  for (const t of templates) {
    if (!t.includes("{")) {
      continue;
    }
    const re = new RegExp("^" + t.replace(/[.*+?^$()|[\]\\]/g, "\\$&")
                                   .replace(/\{[^}]+\}/g, "[^/]+") + "$");
    if (re.test(requestPath)) {
      return t;
    }
  }
  return null;
}

/* What each operation was seen to answer: "METHOD template" -> Set of statuses. */
export const seen = new Map();

function mediaType(ct) {
  return (ct || "").trim();
}

/* Judges one answer; returns a list of problems (empty: it is as documented).
 * res: {status, headers (lower-case names), body (Buffer)}; method as sent. */
export function judge(method, target, res, { head = false } = {}) {
  const problems = [];
  const reqPath = target.split("?")[0].split("#")[0];
  const template = findPath(reqPath);
  let responseParts;
  let label;
  if (!template) {
    label = method + " " + reqPath + " (not in the document)";
    /* Every /v1/admin path needs a token before it is routed. */
    const name = res.status === 401 && reqPath.startsWith("/v1/admin/") ? "Unauthorized"
                                                                        : "NotFound";
    if (res.status !== (name === "Unauthorized" ? 401 : 404)) {
      problems.push(label + ": answered " + res.status + ", the document says 404");
    }
    responseParts = ["components", "responses", name];
  } else {
    const item = doc.paths[template];
    const opMethod = method === "HEAD" ? "get" : method.toLowerCase();
    const op = item[opMethod];
    label = method + " " + template;
    if (!op) {
      const admin = template.startsWith("/v1/admin/");
      const name = admin && res.status === 401 ? "Unauthorized" : "MethodNotAllowed";
      if (name === "MethodNotAllowed") {
        const documented = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
        if (documented.includes("GET")) {
          documented.push("HEAD");
        }
        const allow = (res.headers.allow || "").split(",").map((s) => s.trim()).filter(Boolean);
        if (res.status !== 405) {
          problems.push(label + ": answered " + res.status + ", the document says 405");
        } else if (allow.slice().sort().join() !== documented.slice().sort().join()) {
          problems.push(label + ": Allow is " + JSON.stringify(res.headers.allow) +
                        ", the document has " + documented.join(", "));
        }
      }
      responseParts = ["components", "responses", name];
    } else {
      const key = String(res.status);
      if (!op.responses[key]) {
        problems.push(label + ": status " + key + " is not documented (documented: " +
                      Object.keys(op.responses).join(", ") + "); body " +
                      res.body.toString("utf8").slice(0, 300));
        return problems;
      }
      const k = label.replace(/^HEAD /, "GET ");
      if (!seen.has(k)) {
        seen.set(k, new Set());
      }
      seen.get(k).add(res.status);
      responseParts = resolve(["paths", template, opMethod, "responses", key]);
    }
  }
  problems.push(...judgeResponse(label, responseParts, res, head));
  return problems;
}

function headerValue(raw, schema) {
  if (schema && schema.type === "integer" && /^-?\d+$/.test(raw)) {
    return Number(raw);
  }
  return raw;
}

function judgeResponse(label, parts, res, head) {
  const problems = [];
  const response = at(parts);
  const ct = mediaType(res.headers["content-type"]);
  if (response.content) {
    if (!response.content[ct]) {
      problems.push(label + " " + res.status + ": Content-Type " + JSON.stringify(ct) +
                    " is not one of " + Object.keys(response.content).join(" | "));
    } else if (!head) {
      const schemaParts = [...parts, "content", ct, "schema"];
      let value = res.body.toString("utf8");
      if (ct.startsWith("application/json")) {
        try {
          value = JSON.parse(value);
        } catch (e) {
          problems.push(label + " " + res.status + ": the body is not JSON: " + e.message);
          return problems;
        }
      }
      const err = validate(schemaParts, value);
      if (err) {
        problems.push(label + " " + res.status + ": " + err + "; body " +
                      JSON.stringify(value).slice(0, 400));
      }
    }
  }
  if (head && res.body.length) {
    problems.push(label + ": a HEAD answer has a body");
  }
  for (const name of Object.keys(response.headers || {})) {
    const hp = resolve([...parts, "headers", name]);
    const header = at(hp);
    const raw = res.headers[name.toLowerCase()];
    if (raw === undefined) {
      if (header.required) {
        problems.push(label + " " + res.status + ": header " + name + " is missing");
      }
      continue;
    }
    const err = validate([...hp, "schema"], headerValue(raw, header.schema));
    if (err) {
      problems.push(label + " " + res.status + ": header " + name + " " +
                    JSON.stringify(raw) + ": " + err);
    }
  }
  return problems;
}

/* Every operation of the document as "METHOD template". */
export function operations() {
  const out = [];
  for (const [t, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (item[m]) {
        out.push(m.toUpperCase() + " " + t);
      }
    }
  }
  return out;
}
