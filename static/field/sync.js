// The outbox: signed records waiting for the server, FIFO by the time they were signed. Media first, one by one,
// each keyed by its SHA-256 (asked for with GET first, so an interrupted upload resumes with what is missing),
// then the record under its client UUID. A record leaves the outbox only when the server acknowledges its hash.
// 补充说明 (answers to a review return) wait in the same queue under their own client_id, by the same rules.
import * as db from "./db.js";
import { referencedMedia } from "./rules.js";
import { isOnline, watched } from "./net.js";

const BACKOFF_BASE = 5000;
const BACKOFF_MAX = 5 * 60000;
let running = null;
let timer = null;
let session = null;   // {user, csrf_token}, refreshed at the start of every flush

const emit = () => self.dispatchEvent(new Event("outbox-change"));
export const isWaiting = (d) => d && d.locked && d.sync && d.sync.state !== "synced";

export const isAmendment = (d) => d && d.kind === "amendment";
// "withdrawn": a 补充说明 the server refused (the record was no longer returned) that its author chose not to
// send again; it stays on the phone, shown, but no longer waits in the outbox.
export const waitingAmendment = (a) => a.sync && !["draft", "synced", "withdrawn"].includes(a.sync.state);
// Refused by the server: kept and shown, sent again only by 立即同步 (or set aside, for a 补充说明).
export const isHeld = (d) => ["conflict", "rejected"].includes(d.sync.state);

export async function withdrawAmendment(clientId) {
  await db.update("amendments", clientId, (a) => (a && isHeld(a)
    ? { ...a, sync: { ...a.sync, state: "withdrawn", withdrawn_at: new Date().toISOString() } } : undefined));
  emit();
}

export async function waiting(userId) {
  const [drafts, amendments] = await Promise.all([db.all("drafts"), db.all("amendments")]);
  return [...drafts.filter(isWaiting), ...amendments.filter(waitingAmendment)].filter((d) => d.user_id === userId)
    .sort((a, b) => (a.sync.queued_at < b.sync.queued_at ? -1 : 1));
}

// A CSRF refusal (400 with "csrf": true) means the token went stale: fetch a fresh one and try once more.
async function call(method, url, options = {}) {
  const r = await send(method, url, options);
  if (r.status === 400 && r.data && r.data.csrf && method !== "GET") {
    const who = await fetchSession();
    if (who.status === 200) return send(method, url, options);
  }
  return r;
}

async function send(method, url, { body, json, timeout = 30000 } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && session) headers["X-CSRFToken"] = session.csrf_token;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  const abort = new AbortController();
  const t = setTimeout(() => abort.abort(), timeout);
  try {
    const res = await watched(url, { method, headers, body, credentials: "same-origin", signal: abort.signal, cache: "no-store" });
    let data = null;
    if ((res.headers.get("Content-Type") || "").includes("json")) data = await res.json().catch(() => null);
    return { status: res.status, data, redirected: res.redirected };
  } catch {
    return { status: 0, data: null };      // network down, or timed out
  } finally {
    clearTimeout(t);
  }
}

export async function fetchSession() {
  const r = await call("GET", "/api/field/session");
  if (r.status === 200 && r.data && r.data.user) {
    session = r.data;
    await db.setMeta("session", { user: r.data.user, csrf_token: r.data.csrf_token, signout_token: r.data.signout_token,
      at: new Date().toISOString() });
  }
  return r;
}

export const currentSession = () => session;
export function useSession(s) { session = s; }

function classify(r) {
  if (r.status === 0 || r.status >= 500 || r.status === 429) return "retry";
  if (r.status === 401 || (r.status === 200 && !r.data)) return "auth";
  if (r.status === 409) return "conflict";
  return "rejected";
}

const message = (r) => {
  const text = (r.data && r.data.error) || (r.status ? `服务器返回 ${r.status}` : "网络不可用");
  const detail = r.data && r.data.errors ? `：${[].concat(r.data.errors).join("；")}` : "";
  return `${text.replace(/[。.]$/, "")}${detail}（${r.status || "无网络"}）`;
};

// The sync state of one outbox entry: a signed record (by record_id) or an amendment (by its client_id).
async function mark(d, patch) {
  const change = (x) => (x ? { ...x, sync: { ...x.sync, ...patch } } : undefined);
  return isAmendment(d) ? db.update("amendments", d.client_id, change) : db.updateDraft(d.record_id, change);
}

async function fail(d, r, stage) {
  const state = classify(r);
  const attempts = (d.sync.attempts || 0) + 1;
  const patch = { state, code: r.status, error: `${stage}：${message(r)}`, attempts, last_try: new Date().toISOString() };
  if (state === "retry") {
    const delay = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** Math.min(attempts - 1, 8)) * (0.8 + Math.random() * 0.4);
    patch.next_at = Date.now() + delay;
  }
  if (state === "conflict" && r.data) patch.server_hash = r.data.server_hash || null;
  await mark(d, patch);
  return state;
}

async function uploadMedia(d, sha, index, total) {
  const base = `/api/field/media/${d.record_id}`;
  const have = await call("GET", `${base}/${sha}`);
  if (have.status === 200) return null;
  if (have.status !== 404) return have;
  const item = await db.getMedia(d.record_id, sha);
  if (!item) return { status: 422, data: { error: "本机缺少这份照片，无法上传（请联系管理员）" } };
  await mark(d, { progress: `正在上传照片 ${index}/${total}` });
  emit();
  const form = new FormData();
  form.append("file", item.blob, `${sha}.${item.type === "image/png" ? "png" : "jpg"}`);
  form.append("sha256", sha);
  form.append("kind", item.kind);
  if (item.captured_at) form.append("captured_at", item.captured_at);
  const sent = await call("POST", base, { body: form, timeout: 120000 });
  return sent.status === 200 || sent.status === 201 ? null : sent;
}

export function payload(d) {
  return {
    record_id: d.record_id,
    inspected_on: d.inspected_on,
    checked_in_at: d.checkin ? d.checkin.at : null,
    checkin: d.checkin && d.checkin.lat != null ? { lat: d.checkin.lat, lng: d.checkin.lng, accuracy: d.checkin.accuracy } : null,
    findings: d.findings,
    result_codes: d.findings.result_codes,
    findings_hash: d.findings_hash,
    signature_sha: d.signature_sha || null,
    seal_sha: d.seal_sha || null,
    refusal: d.refusal || null,
  };
}

async function sendOne(d, retryMissing = true) {
  const shas = referencedMedia(d);
  for (let i = 0; i < shas.length; i++) {
    const bad = await uploadMedia(d, shas[i], i + 1, shas.length);
    if (bad) return fail(d, bad, "上传照片");
  }
  await mark(d, { progress: "正在提交记录" });
  emit();
  const r = await call("PUT", `/api/field/records/${d.client_uuid}`, { json: payload(d) });
  if ((r.status === 200 || r.status === 201) && r.data && r.data.findings_hash === d.findings_hash) {
    await mark(d, { state: "synced", error: null, code: r.status, progress: null, server: r.data,
      synced_at: new Date().toISOString() });
    return "synced";
  }
  if (r.status === 422 && r.data && r.data.missing_media && retryMissing) return sendOne(d, false);
  if (r.status === 200 || r.status === 201) r.data = { error: "服务器确认的内容校验码与本机不一致，记录保留在本机" };
  return fail(d, r, "提交记录");
}

// The server's word on the record's status until the next task download. Its answer to a 补充说明 carries the
// status code but no label: the label the task came with stays while the status is unchanged; otherwise it is
// dropped and the page fetches the tasks again for the server's status_label ("tasks-stale").
async function takeStatus(recordId, data) {
  let stale = false;
  await db.updateTask(recordId, (t) => {
    if (!t) return undefined;
    const label = data.status_label || (t.status === data.status && t.status_label) || null;
    stale = !label;
    return { ...t, status: data.status, status_label: label };
  });
  if (stale) self.dispatchEvent(new Event("tasks-stale"));
}

// An amendment goes once under its client_id; a replay gets the same answer, so a lost reply is harmless.
async function sendAmendment(a) {
  const photos = a.photos || [];                  // 补拍照片 first, as a record's photos
  for (let i = 0; i < photos.length; i++) {
    const bad = await uploadMedia(a, photos[i], i + 1, photos.length);
    if (bad) return fail(a, bad, "上传补拍照片");
  }
  await mark(a, { progress: "正在提交补充说明" });
  emit();
  const json = { text: a.text, client_id: a.client_id, ...(photos.length ? { photos } : {}) };
  const r = await call("POST", `/api/field/records/${a.client_uuid}/amendments`, { json });
  if ((r.status === 200 || r.status === 201) && r.data && r.data.client_id === a.client_id) {
    await mark(a, { state: "synced", error: null, code: r.status, progress: null, server: r.data,
      synced_at: new Date().toISOString() });
    await takeStatus(a.record_id, r.data);  // back to submitted
    return "synced";
  }
  if (r.status === 200 || r.status === 201) r.data = { error: "服务器的确认与本机的补充说明不一致，已保留在本机" };
  if (r.status === 409 && r.data && r.data.status) {  // e.g. a teammate answered first: the server's status now
    await takeStatus(a.record_id, r.data);
  }
  return fail(a, r, "提交补充说明");
}

// ---- sign-outs made without network: each session's sign-out token waits under meta "signouts" until the server
// has it (POST /logout/later). While one waits, nothing else talks to the server: the browser may still carry
// that session's cookie, which must not sign the phone back in.
export const pendingSignouts = async () => (await db.getMeta("signouts")) || [];

export async function queueSignout(token) {
  if (token) await db.setMeta("signouts", [...new Set([...(await pendingSignouts()), token])]);
}

// Resolves true when no sign-out waits any more.
export async function sendSignouts() {
  const list = await pendingSignouts();
  if (!list.length) return true;
  const done = new Set();
  for (const token of list) {
    const r = await watched("/logout/later", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ token }), credentials: "same-origin", cache: "no-store",
    }).catch(() => null);
    // 200: ended; 400: a token the server does not know (nothing to end). Network, 5xx, 429: try again later.
    if (r && (r.ok || r.status === 400)) done.add(token);
  }
  const left = (await pendingSignouts()).filter((t) => !done.has(t));
  await db.setMeta("signouts", left);
  return left.length === 0;
}

export async function requestSignoutSync() {
  try {
    const reg = await navigator.serviceWorker?.ready;
    if (reg && reg.sync) await reg.sync.register("field-signout");
  } catch { /* no Background Sync: the next page load or the "online" event sends it */ }
}

// `resume`: the server is reachable again, so entries that waited only for the network go now, not at their back-off.
async function flushNow(manual, resume) {
  if (!isOnline()) return;
  if (!(await sendSignouts())) return;
  const who = await fetchSession();
  const s = await db.getMeta("session");
  if (!s) return;
  const queue = await waiting(s.user.id);
  if (who.status === 401 || (who.status === 200 && !who.data)) {
    for (const d of queue) await mark(d, { state: "auth", error: "登录已过期，请重新登录后继续同步" });
    self.dispatchEvent(new Event("session-expired"));
    return;
  }
  if (who.status !== 200) return;
  for (const d of queue) {
    if (!manual && isHeld(d)) continue;
    if (!manual && d.sync.state === "retry" && d.sync.next_at > Date.now() && !(resume && d.sync.code === 0)) continue;
    const state = await (isAmendment(d) ? sendAmendment(d) : sendOne(d));
    emit();
    if (state === "auth" || (state === "retry" && !isOnline())) break;
  }
}

function schedule(userId) {
  clearTimeout(timer);
  waiting(userId).then((queue) => {
    const next = queue.filter((d) => d.sync.state === "retry").map((d) => d.sync.next_at || 0);
    if (next.length) timer = setTimeout(() => flush(), Math.max(1000, Math.min(...next) - Date.now()));
  });
}

export function flush({ manual = false, resume = false } = {}) {
  if (!running) {
    running = flushNow(manual, resume).catch((err) => console.error(err)).finally(async () => {
      running = null;
      emit();
      const s = await db.getMeta("session");
      if (s) schedule(s.user.id);
    });
  }
  return running;
}

export async function requestBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker?.ready;
    if (reg && reg.sync) await reg.sync.register("field-outbox");
  } catch { /* not offered by this browser: the page's own triggers remain */ }
}
