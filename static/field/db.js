// IndexedDB as a small module: one open promise, small async functions, writes to a record serialised.
// Never await the network inside a transaction: callers compute first, then write.
const NAME = "spotcheck-field";
const VERSION = 2;
let opening = null;

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = (e) => {
        const db = req.result;
        if (e.oldVersion < 1) {
          db.createObjectStore("meta");
          db.createObjectStore("tasks", { keyPath: "record_id" });
          db.createObjectStore("drafts", { keyPath: "record_id" });
          const media = db.createObjectStore("media", { keyPath: "key" });
          media.createIndex("record", "record_id");
        }
        if (e.oldVersion < 2) {
          // 补充说明: the team's answers to a review return, keyed by the client_id made once on the phone.
          db.createObjectStore("amendments", { keyPath: "client_id" }).createIndex("record", "record_id");
        }
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onclose = () => { opening = null; };           // closed under us (eviction, crash): reopen next time
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
      req.onblocked = () => reject(new Error("本机数据库被另一个窗口占用，请关闭其他窗口后重试。"));
    });
  }
  return opening;
}

// Run `work(stores)` in one transaction; resolves with its result once the transaction has committed.
async function run(names, mode, work, retried = false) {
  let db = await open();
  let tx;
  try {
    tx = db.transaction(names, mode);
  } catch (err) {
    if (retried) throw err;
    opening = null;                                      // InvalidStateError: the connection closed
    return run(names, mode, work, true);
  }
  return new Promise((resolve, reject) => {
    let result;
    const stores = Object.fromEntries([].concat(names).map((n) => [n, tx.objectStore(n)]));
    Promise.resolve(work(stores, tx)).then((r) => { result = r; }, (err) => { tx.abort(); reject(err); });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("本机保存被中止"));
  });
}

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

export const get = (store, key) => run(store, "readonly", (s) => req(s[store].get(key)));
export const all = (store) => run(store, "readonly", (s) => req(s[store].getAll()));
export const put = (store, value) => run(store, "readwrite", (s) => req(s[store].put(value)));
export const del = (store, key) => run(store, "readwrite", (s) => req(s[store].delete(key)));
export const getMeta = (key) => run("meta", "readonly", (s) => req(s.meta.get(key)));
export const setMeta = (key, value) => run("meta", "readwrite", (s) => req(s.meta.put(value, key)));
export const delMeta = (key) => run("meta", "readwrite", (s) => req(s.meta.delete(key)));
export const mediaOf = (recordId) => run("media", "readonly", (s) => req(s.media.index("record").getAll(recordId)));
export const mediaKey = (recordId, sha) => `${recordId}:${sha}`;
export const getMedia = (recordId, sha) => get("media", mediaKey(recordId, sha));

export function putMedia(recordId, item) {
  return put("media", { ...item, key: mediaKey(recordId, item.sha256), record_id: recordId });
}

// The task list reads one small entry, not 200 whole tasks with their checklists: meta `cards:<user id>` holds what
// each card shows (the task's own shape, cut down: statusOf and deadlineLine read it as they read a task). Every
// write of a task rewrites it in the same transaction (replaceTasks, updateTask); clearUser deletes it.
const cardsKey = (userId) => `cards:${userId}`;
export function card(t) {
  const { plan, entity } = t;
  return {
    record_id: t.record_id, user_id: t.user_id, status: t.status, status_label: t.status_label,
    sync_due: t.sync_due, late: t.late,
    plan: { doc_number: plan.doc_number, entry_days: plan.entry_days, window_start: plan.window_start, window_end: plan.window_end },
    entity: { name: entity.name, uscc: entity.uscc, address: entity.address, checkin_token: entity.checkin_token },
    departments: t.departments.map((d) => ({ name: d.name })), team: t.team.map((m) => ({ name: m.name })),
  };
}
const cardsFrom = (tasks, userId) => tasks.filter((t) => t.user_id === userId).map(card);

// Replace the tasks of one user by a fresh download, keeping tasks that still hold a local draft. Resolves with
// whether anything the phone holds for this user changed (a task added, dropped or different).
export function replaceTasks(userId, tasks) {
  return run(["tasks", "drafts", "meta"], "readwrite", async (s) => {
    const [old, drafts] = await Promise.all([req(s.tasks.getAll()), req(s.drafts.getAllKeys())]);
    const fresh = tasks.map((t) => ({ ...t, user_id: userId }));
    const keep = new Set(tasks.map((t) => t.record_id).concat(drafts));
    const before = new Map(old.filter((t) => t.user_id === userId).map((t) => [t.record_id, t]));
    let changed = false;
    for (const t of before.values()) if (!keep.has(t.record_id)) { s.tasks.delete(t.record_id); changed = true; }
    for (const t of fresh) {
      const was = before.get(t.record_id);
      changed ||= !was || JSON.stringify(was) !== JSON.stringify(t);
      s.tasks.put(t);
    }
    const got = new Set(fresh.map((t) => t.record_id));
    const kept = [...before.values()].filter((t) => keep.has(t.record_id) && !got.has(t.record_id));
    s.meta.put(cardsFrom(fresh.concat(kept), userId), cardsKey(userId));
    return changed;
  });
}

// One task changed in place (the server's word on its status): the task and its card in one transaction.
export function updateTask(recordId, mutate) {
  return run(["tasks", "meta"], "readwrite", async (s) => {
    const t = await req(s.tasks.get(recordId));
    const next = t && mutate(structuredClone(t));
    if (!next) return t;
    s.tasks.put(next);
    const cards = await req(s.meta.get(cardsKey(next.user_id)));
    if (cards) s.meta.put(cards.map((c) => (c.record_id === recordId ? card(next) : c)), cardsKey(next.user_id));
    return next;
  });
}

// What the task list shows, in one read: the user's cards, and every draft and 补充说明 on the phone. A phone whose
// tasks were stored before the cards existed builds them from its tasks (until the next download stores them).
function listIn(s, userId) {
  return Promise.all([req(s.meta.get(cardsKey(userId))), req(s.drafts.getAll()), req(s.amendments.getAll())])
    .then(async ([cards, drafts, amendments]) => ({
      user_id: userId, drafts, amendments, cards: cards || cardsFrom(await req(s.tasks.getAll()), userId),
    }));
}
const LIST_STORES = ["meta", "drafts", "amendments", "tasks"];
export const cardsOf = (userId) => run(["meta", "tasks"], "readonly", async (s) =>
  (await req(s.meta.get(cardsKey(userId)))) || cardsFrom(await req(s.tasks.getAll()), userId));
export const listOf = (userId) => run(LIST_STORES, "readonly", (s) => listIn(s, userId));

// Start-up in one transaction: the session, the catalog, the calendar, a sign-out note, and (signed in) the list.
export function boot() {
  return run(LIST_STORES, "readonly", async (s) => {
    const [session, catalog, calendar, signedOut] = await Promise.all(
      ["session", "catalog", "calendar", "signed_out"].map((k) => req(s.meta.get(k))));
    const list = session && catalog ? await listIn(s, session.user.id) : null;
    return { session, catalog, calendar, signedOut, list };
  });
}

// Serialised read-modify-write of one stored object. Changes of one key that arrive while its transaction runs
// wait together and go into the next one (a bulk answer is one write, not 39). The promise resolves with the
// stored value once the transaction holding the change has committed: the screen shows an answer only then.
const queues = new Map();
const outstanding = new Set();
export function update(store, key, mutate) {
  const chain = store === "drafts" ? key : `${store}:${key}`;
  let q = queues.get(chain);
  if (!q) queues.set(chain, (q = { store, key, waiting: [], running: null }));
  const done = new Promise((resolve, reject) => {
    q.waiting.push({ mutate, resolve, reject });
    if (!q.running) drain(chain, q);
  });
  outstanding.add(done);
  const forget = () => outstanding.delete(done);
  done.then(forget, forget);
  return done;
}

function drain(chain, q) {
  const batch = q.waiting.splice(0);
  if (!batch.length) { queues.delete(chain); return; }
  const failed = new Map();
  const running = run(q.store, "readwrite", async (s, tx) => {
    const current = await req(s[q.store].get(q.key));
    let value = current;
    for (const w of batch) {
      try {
        const next = w.mutate(value ? structuredClone(value) : undefined);
        if (next !== undefined) value = next;
      } catch (err) { failed.set(w, err); }
    }
    if (value === current) return current;
    value.updated_at = new Date().toISOString();
    s[q.store].put(value);
    if (tx.commit) tx.commit();                       // no more requests: commit now, not at the next idle turn
    return value;
  });
  q.running = running;
  running.then((value) => batch.forEach((w) => (failed.has(w) ? w.reject(failed.get(w)) : w.resolve(value))),
    (err) => batch.forEach((w) => w.reject(err)))
    .then(() => { if (q.running === running) { q.running = null; drain(chain, q); } });
}

// The page goes away (closed, switched from, frozen): the changes still waiting start their transaction at once
// instead of after the running one (IndexedDB keeps the order of transactions on one store).
export function flushNow() {
  for (const [chain, q] of queues) if (q.running && q.waiting.length) drain(chain, q);
}
if (typeof document !== "undefined") {
  addEventListener("pagehide", flushNow);
  document.addEventListener("visibilitychange", () => { if (document.hidden) flushNow(); });
}
export const updateDraft = (recordId, mutate) => update("drafts", recordId, mutate);
export const amendmentsOf = (recordId) => run("amendments", "readonly", (s) => req(s.amendments.index("record").getAll(recordId)));

// Every pending write has reached the disk (before a reload, an update or a sign-out).
export async function settled() {
  while (outstanding.size) await Promise.all([...outstanding].map((p) => p.catch(() => {})));
}

// Sign-out: this user's data leaves the phone, except what has not reached the server yet. `keepDraft(d)` and
// `keepAmendment(a)` say which of the user's entries are kept (sync.js decides: unsent ones); the photos those
// need stay too. Others' entries and the public calendar are untouched. Resolves with how many entries were kept.
export function clearUser(userId, { keepDraft, keepAmendment }) {
  const stores = ["meta", "tasks", "drafts", "media", "amendments"];
  return run(stores, "readwrite", async (s) => {
    const [tasks, drafts, amendments, media] = await Promise.all(
      [req(s.tasks.getAll()), req(s.drafts.getAll()), req(s.amendments.getAll()), req(s.media.getAll())]);
    const mine = (x) => x.user_id === userId;
    const mineRecords = new Set([...tasks, ...drafts, ...amendments].filter(mine).map((x) => x.record_id));
    const keptDrafts = drafts.filter((d) => !mine(d) || keepDraft(d));
    const keptAmendments = amendments.filter((a) => !mine(a) || keepAmendment(a));
    const stillNeeded = new Set([...keptDrafts, ...keptAmendments].map((x) => x.record_id));
    for (const t of tasks) if (mine(t)) s.tasks.delete(t.record_id);
    for (const d of drafts) if (mine(d) && !keepDraft(d)) s.drafts.delete(d.record_id);
    for (const a of amendments) if (mine(a) && !keepAmendment(a)) s.amendments.delete(a.client_id);
    for (const m of media) if (mineRecords.has(m.record_id) && !stillNeeded.has(m.record_id)) s.media.delete(m.key);
    for (const key of ["session", "catalog", `credential:${userId}`, cardsKey(userId)]) s.meta.delete(key);
    return [...keptDrafts, ...keptAmendments].filter(mine).length;
  });
}
