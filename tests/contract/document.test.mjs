/* docs/openapi.json as a document: valid OpenAPI 3.1 (checked by
 * @seriousme/openapi-schema-validator against the specification's own schema), every schema in
 * it compiles as strict JSON Schema 2020-12, every example is valid against its schema, the
 * conventions clients rely on hold, and every route the service's router knows is in it. */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { Validator } from "@seriousme/openapi-schema-validator";

import { DOC_PATH, METHODS, at, doc, pointer, resolve, validate, validatorAt } from
  "./openapi.mjs";
import { SOURCE_DIR } from "./fidxsvc.mjs";

test("the document is valid OpenAPI 3.1", async () => {
  const v = new Validator();
  const res = await v.validate(DOC_PATH);
  assert.equal(v.version, "3.1");
  assert.ok(res.valid, JSON.stringify(res.errors, null, 2));
});

/* Every place a schema sits: components.schemas.*, and every "schema" member. */
function schemaLocations() {
  const out = [];
  for (const name of Object.keys(doc.components.schemas)) {
    out.push(["components", "schemas", name]);
  }
  (function walk(node, parts) {
    if (!node || typeof node !== "object") {
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === "schema" && v && typeof v === "object") {
        out.push([...parts, k]);
      } else if (k !== "schemas") {
        walk(v, [...parts, k]);
      }
    }
  })(doc, []);
  return out;
}

test("every schema compiles as strict JSON Schema 2020-12", () => {
  const locations = schemaLocations();
  assert.ok(locations.length > 50, "found only " + locations.length + " schemas");
  for (const parts of locations) {
    assert.doesNotThrow(() => validatorAt(parts), pointer(parts));
  }
});

test("every example is valid against its schema", () => {
  let n = 0;
  const check = (schemaParts, value, where) => {
    const err = validate(schemaParts, value);
    assert.equal(err, null, where + ": " + err);
    n++;
  };
  for (const parts of schemaLocations()) {
    const schema = at(parts);
    for (const [i, ex] of (schema.examples || []).entries()) {
      check(parts, ex, pointer([...parts, "examples", i]));
    }
    const owner = parts.slice(0, -1); /* a Media Type, Parameter or Header object */
    const o = at(owner);
    if (parts[parts.length - 1] !== "schema" || !o) {
      continue;
    }
    if ("example" in o) {
      const ct = owner[owner.length - 1];
      let value = o.example;
      if (typeof value === "string" && /json/.test(ct) && !/ndjson/.test(ct)) {
        value = JSON.parse(value);
      }
      check(parts, value, pointer([...owner, "example"]));
    }
    for (const [name, ex] of Object.entries(o.examples || {})) {
      const exParts = resolve([...owner, "examples", name]);
      check(parts, at(exParts).value, pointer(exParts));
    }
  }
  assert.ok(n >= 15, "only " + n + " examples were checked");
});

test("operations have unique ids, a success answer, and JSON errors in the Error shape", () => {
  const ids = new Set();
  const sample = { error: { code: "internal", message: "m" } };
  for (const [t, item] of Object.entries(doc.paths)) {
    for (const m of METHODS.filter((x) => item[x])) {
      const op = item[m];
      const where = m.toUpperCase() + " " + t;
      assert.ok(op.operationId, where + " has no operationId");
      assert.ok(!ids.has(op.operationId), "operationId " + op.operationId + " twice");
      ids.add(op.operationId);
      assert.ok(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)), where + ": no 2xx");
      for (const status of Object.keys(op.responses)) {
        assert.match(status, /^[1-5]\d\d$/, where + ": responses are by exact status");
        const rp = resolve(["paths", t, m, "responses", status]);
        const json = (at(rp).content || {})["application/json; charset=utf-8"];
        if (Number(status) >= 400 && json) {
          /* An error body of another code must be refused: the schema narrows the code. */
          const schemaParts = [...rp, "content", "application/json; charset=utf-8", "schema"];
          const s = at(schemaParts);
          const isError = s.$ref === "#/components/schemas/Error" ||
            (s.allOf && s.allOf[0].$ref === "#/components/schemas/Error");
          assert.ok(isError, where + " " + status + ": not the Error schema");
          validate(schemaParts, sample); /* compiles */
        }
      }
      if (t.startsWith("/v1/admin/")) {
        /* A Bearer token, or the console's session cookie (docs/CONSOLE.md). */
        assert.deepEqual(op.security, [{ analystToken: [] }, { consoleSession: [] }],
                         where + ": no bearer security");
        assert.ok(op.responses["401"], where + ": no 401");
      }
    }
  }
});

/* The paths the service routes, read from its source: the public table (router.c) and the
 * analysts' routes (route_admin.c). A route added there without its entry here fails. */
// The paths of the service's route table (service/src/routes/router.c): public_routes[] as
// they are, admin_routes[] below the admin prefix; an entry ending in "/" routes ".../{id}".
function routedPaths() {
  const src = fs.readFileSync(path.join(SOURCE_DIR, "service", "src", "routes", "router.c"),
                              "utf8");
  const prefix = (src.match(/#define FIDX__ADMIN_PREFIX "([^"]+)"/) ||
                  fs.readFileSync(path.join(SOURCE_DIR, "service", "src", "routes", "router.h"),
                                  "utf8").match(/#define FIDX__ADMIN_PREFIX "([^"]+)"/))[1];
  const found = new Set();
  for (const [table, base] of [["public_routes", ""], ["admin_routes", prefix]]) {
    const m = src.match(new RegExp(table + "\\[\\] = \\{([\\s\\S]*?)\\n\\};"));
    assert.ok(m, "no " + table + "[] in router.c");
    for (const e of m[1].matchAll(/\{\s*"(\/[^"]*)"/g)) {
      const p = base + e[1];
      found.add(p.length > 1 && p.endsWith("/") ? p + "{id}" : p);
    }
  }
  return found;
}

test("every route the service knows is documented", () => {
  const routed = routedPaths();
  assert.ok(routed.size >= 15, "the routes were not found in service/src (found " +
            [...routed].join(", ") + "): update routedPaths() to the new layout");
  for (const p of routed) {
    const documented = p.startsWith("/static/") ? doc.paths["/static/{file}"] &&
      at(["paths", "/static/{file}", "get", "parameters", 0, "schema", "enum"])
        .includes(p.slice(8)) : !!doc.paths[p];
    assert.ok(documented, p + " is routed by the service but not in docs/openapi.json");
  }
});
