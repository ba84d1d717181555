/* The warnings' Atom feed (issue 19; docs/WARNINGS.md) read by an independent parser,
 * feedparser from npm, and held to RFC 4287: the real service, two warnings published (one
 * then retracted), /warnings.atom and a province's feed parsed; every element the RFC
 * requires is there, ids are URIs that stay the same across a change, updated times are RFC
 * 3339, and a poll with the feed's ETag costs a 304. */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";

import FeedParser from "feedparser";

import { ANALYST_TOKEN, buildSample, startService, tempDir, writeTokens } from "../contract/fidxsvc.mjs";

let svc;

before(async () => {
  const dir = tempDir("fidx-feed-");
  svc = await startService(buildSample(dir), ["--tokens", writeTokens(dir), "--data-dir",
                                              dir + "/data"]);
});

after(async () => {
  if (svc) assert.equal(await svc.stop(), 0);
});

async function admin(path, body) {
  const r = await fetch(svc.url + path, {
    method: "POST",
    headers: { authorization: "Bearer " + ANALYST_TOKEN, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await r.text();
  assert.ok(r.ok, path + ": " + r.status + " " + answer);
  return JSON.parse(answer);
}

async function publish(fields) {
  const w = await admin("/v1/admin/warnings", fields);
  return admin("/v1/admin/warnings/" + w.id + "/publish", {});
}

/* Parses an Atom document with feedparser: { meta, items } (rejects on any parse error). */
function parse(xml) {
  return new Promise((resolve, reject) => {
    const fp = new FeedParser({ normalize: false, addmeta: false });
    const items = [];
    let meta;
    fp.on("error", reject);
    fp.on("meta", (m) => (meta = m));
    fp.on("readable", () => {
      for (let it = fp.read(); it; it = fp.read()) items.push(it);
    });
    fp.on("end", () => resolve({ meta, items }));
    Readable.from([xml]).pipe(fp);
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/* The text of a namespaced element as feedparser keeps it when not normalising. */
function text(node) {
  return node && (node["#"] ?? node);
}

function links(node) {
  const l = node["atom:link"];
  return (Array.isArray(l) ? l : l ? [l] : []).map((x) => x["@"]);
}

/* RFC 4287, 4.1.1 and 4.1.2: what a feed and each entry must hold. */
function assertAtom({ meta, items }) {
  assert.equal(meta["#type"], "atom");
  assert.match(text(meta["atom:id"]), URN_UUID);
  assert.ok(text(meta["atom:title"]), "feed title");
  assert.match(text(meta["atom:updated"]), RFC3339);
  assert.ok(links(meta).some((l) => l.rel === "self"), "a self link (4.1.1)");
  const feedAuthor = meta["atom:author"] && text(meta["atom:author"]["name"]);
  const ids = new Set();
  for (const it of items) {
    const id = text(it["atom:id"]);
    assert.match(id, URN_UUID);
    assert.ok(!ids.has(id), "entry ids are unique");
    ids.add(id);
    assert.ok(text(it["atom:title"]), "entry title");
    assert.match(text(it["atom:updated"]), RFC3339);
    assert.match(text(it["atom:published"]), RFC3339);
    assert.ok(feedAuthor || it["atom:author"], "an author for every entry (4.1.1)");
    const alt = links(it).filter((l) => (l.rel || "alternate") === "alternate");
    assert.equal(alt.length, 1, "one alternate link per type (4.1.1)");
    assert.match(alt[0].href, /^\/warnings\/w[0-9a-f]{16}$/);
    assert.ok(text(it["atom:content"]), "content, since there is no alternate-only entry");
  }
  return items;
}

test("the feed parses and holds what RFC 4287 requires", async () => {
  const a = await publish({ title: "Giả danh ngân hàng gửi tin nhắn", text: "Nội dung & <cảnh báo>",
                            regions: ["all"], category: "phishing", advice: "Không bấm link." });
  const b = await publish({ title: { vi: "Việc nhẹ lương cao", en: "Easy jobs" },
                            text: "Lừa đảo tuyển cộng tác viên", regions: ["ha-tinh"] });
  const r = await fetch(svc.url + "/warnings.atom");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /^application\/atom\+xml/);
  const items = assertAtom(await parse(await r.text()));
  assert.deepEqual(items.map((it) => text(it["atom:id"])),
                   ["urn:uuid:" + b.uuid, "urn:uuid:" + a.uuid]);
  assert.equal(text(items[1]["atom:content"]).split("\n")[0], "Nội dung & <cảnh báo>");

  /* A province's feed: the whole country's warning is in Hà Nội's, the other is not. */
  const hn = assertAtom(await parse(await (await fetch(svc.url + "/warnings/ha-noi.atom")).text()));
  assert.deepEqual(hn.map((it) => text(it["atom:id"])), ["urn:uuid:" + a.uuid]);

  /* A poller with the ETag pays nothing; a retraction changes the feed, keeps the entry's id. */
  const etag = r.headers.get("etag");
  assert.equal((await fetch(svc.url + "/warnings.atom", { headers: { "if-none-match": etag } }))
                 .status, 304);
  await admin("/v1/admin/warnings/" + b.id + "/retract", { reason: "Trùng cảnh báo khác" });
  const r2 = await fetch(svc.url + "/warnings.atom", { headers: { "if-none-match": etag } });
  assert.equal(r2.status, 200);
  const items2 = assertAtom(await parse(await r2.text()));
  assert.equal(text(items2[0]["atom:id"]), "urn:uuid:" + b.uuid);
  assert.match(text(items2[0]["atom:title"]), /^\[Đã rút lại\]/);
});
