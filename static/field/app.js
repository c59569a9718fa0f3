// The field app's entry: service worker and update prompt, session and task download, the router, the outbox bar.
import * as db from "./db.js";
import { booting } from "./boot.js";
import { h, mount } from "./ui.js";
import { platformNotices, storageLine } from "./env.js";
import { isOnline, watched } from "./net.js";
import { drawKeep } from "./keep.js";
import {
  flush, fetchSession, useSession, waiting, isWaiting, queueSignout, sendSignouts, pendingSignouts,
  requestSignoutSync,
} from "./sync.js";
import { state, notFound, signInView, announceUploads } from "./views/common.js";
import { tasksView } from "./views/tasks.js";

// The task list is the first screen: its modules load with the page. The other screens (and the photo and
// signature code they bring) load when first opened — from the worker's cache once installed — so that a first
// visit over a slow network waits for half as many files (the shell preloads only this file's static imports).
const lazy = (module, name) => async (...args) => {
  let loaded;
  try {
    loaded = await import(module);
  } catch (err) {
    // A module whose download failed stays failed for the page's life: once, reload (the worker has it).
    if (navigator.serviceWorker && navigator.serviceWorker.controller && sessionStorage.getItem("lazy-reload") !== module) {
      sessionStorage.setItem("lazy-reload", module);
      await db.settled();
      location.reload();
      return new Promise(() => {});
    }
    throw err;
  }
  sessionStorage.removeItem("lazy-reload");
  return loaded[name](...args);
};
const LATER = ["./views/task.js", "./views/arrival.js", "./views/team.js", "./views/checklist.js", "./views/sign.js",
  "./views/credential.js"];
const taskView = lazy("./views/task.js", "taskView");
const arriveView = lazy("./views/arrival.js", "arriveView");
const checkinView = lazy("./views/arrival.js", "checkinView");
const scanView = lazy("./views/arrival.js", "scanView");
const teamView = lazy("./views/team.js", "teamView");
const checklistView = lazy("./views/checklist.js", "checklistView");
const signView = lazy("./views/sign.js", "signView");
const credentialView = lazy("./views/credential.js", "credentialView");

const view = document.getElementById("view");
const banners = document.getElementById("banners");
let viewSeq = 0;

const ROUTES = [
  [/^\/field\/?$/, (root) => tasksView(root)],
  [/^\/field\/scan$/, (root) => scanView(root)],
  [/^\/field\/credential$/, (root) => credentialView(root)],
  [/^\/field\/task\/(\d+)$/, (root, id) => taskView(root, id)],
  [/^\/field\/task\/(\d+)\/checkin$/, (root, id) => checkinView(root, id)],
  [/^\/field\/task\/(\d+)\/team$/, (root, id) => teamView(root, id)],
  [/^\/field\/task\/(\d+)\/checklist$/, (root, id) => checklistView(root, id)],
  [/^\/field\/task\/(\d+)\/sign$/, (root, id) => signView(root, id)],
  [/^\/checkin\/([\w-]+)$/, (root, token) => arriveView(root, token)],
];

async function render() {
  const id = String(++viewSeq);
  state.view = id;
  view.dataset.viewId = id;
  delete document.body.dataset.ready;
  if (!state.session && state.signedOut) {
    signInView(view, signedOutText(state.signedOut));
  } else if (!state.session) {
    signInView(view, isOnline() ? "请先登录。登录一次后，本机可离线使用已下载的任务。" : "本机尚未登录过现场检查。");
  } else if (!state.catalog) {
    mount(view, h("h1", {}, "我的任务"), h("p.notice.warn", { role: "status" }, "任务尚未下载到本机。请在有网络时重新打开本页。"));
  } else {
    const path = location.pathname;
    const route = ROUTES.find(([re]) => re.test(path));
    try {
      if (route) await route[1](view, ...path.match(route[0]).slice(1));
      else notFound(view);
    } catch (err) {
      console.error(err);
      mount(view, h("p.notice.error", { role: "alert" }, `出错了：${err.message}。已填写的内容保存在本机。`));
    }
  }
  if (state.view === id) document.body.dataset.ready = location.pathname;
}

state.go = (to, replace = false) => {
  if (replace) history.replaceState(null, "", to); else history.pushState(null, "", to);
  window.scrollTo(0, 0);
  render();
};
state.takeFlash = () => {
  const text = state.flash;
  state.flash = null;
  return text ? h("p.notice.ok", { role: "status" }, text) : null;
};

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-nav]");
  if (!a || e.defaultPrevented || e.metaKey || e.ctrlKey) return;
  e.preventDefault();
  state.go(a.getAttribute("href"));
});
addEventListener("popstate", render);

// ---- banners: platform, session, update
function banner(id, ...content) {
  let el = document.getElementById(id);
  if (!content.length) { if (el) el.remove(); return; }
  el = el || h(`div.banner${["update", "session", "signout-warn"].includes(id) ? ".toast" : ""}`);
  el.id = id;
  mount(el, ...content);
  if (!el.isConnected) banners.append(el);
}

async function relogin() {
  await db.settled();
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}

addEventListener("session-expired", () => banner("session",
  h("p.notice.warn", { role: "alert" }, "登录已过期。本机记录都已保留，重新登录后会继续同步。"),
  h("button.primary", { type: "button", onclick: relogin }, "重新登录")));

// ---- the outbox bar: how many records wait and why
async function drawOutbox() {
  const box = document.getElementById("outbox");
  if (!state.session) { box.hidden = true; drawKeep(document.getElementById("outbox-keep"), null, []); return; }
  const queue = await waiting(state.session.user.id);
  announceUploads(queue);
  box.hidden = queue.length === 0;
  drawKeep(document.getElementById("outbox-keep"), state.session, queue).catch((err) => console.error(err));
  const first = queue[0];
  const REASONS = {
    queued: "等待上传", retry: "网络或服务器暂时不可用，稍后自动重试", auth: "登录已过期，请重新登录",
    rejected: "服务器未接收，请查看说明", conflict: "与服务器上的记录冲突（409）",
  };
  const reason = !first ? "" : !isOnline() ? "当前离线，待联网后上传"
    : first.sync.progress && first.sync.state === "queued" ? first.sync.progress : REASONS[first.sync.state] || "等待同步";
  const why = queue.filter((d) => ["conflict", "rejected", "retry"].includes(d.sync.state) && d.sync.error);
  // The enterprise names only when a line needs them (the list's cards, not the whole tasks).
  const names = why.length ? new Map((await db.cardsOf(state.session.user.id)).map((t) => [t.record_id, t.entity.name])) : null;
  mount(document.getElementById("outbox-text"),
    h("strong", { id: "outbox-count" }, `待同步 ${queue.length} 条`), h("span", {}, `：${reason}`),
    why.map((d) =>
      h(`div.${d.sync.state === "retry" ? "why" : "conflict"}`, { role: d.sync.state === "retry" ? null : "alert" },
        `${names.get(d.record_id) || ""}：${d.sync.error}${d.sync.state === "conflict" ? "。本机记录已保留，请联系审核人处理。" : ""}`)));
}
const showsTasks = () => /^\/field\/?$/.test(location.pathname) || /\/task\/\d+$/.test(location.pathname);
addEventListener("outbox-change", () => { drawOutbox(); if (showsTasks()) refreshQuiet(); });
// An answer changed a task's status and sent no label for it (sync.js takeStatus): download the tasks again, which
// carry the server's status_label.
let refetch = Promise.resolve();
addEventListener("tasks-stale", () => {
  if (!isOnline() || !state.session) return;
  refetch = refetch.then(download).catch(() => {}).then(() => { if (showsTasks()) refreshQuiet(); });
});
let quiet = null;
function refreshQuiet() {
  clearTimeout(quiet);
  quiet = setTimeout(() => { if (!document.querySelector("input:focus, textarea:focus")) render(); }, 200);
}
document.getElementById("sync-now").addEventListener("click", () => flush({ manual: true }));
setInterval(() => { if (!document.hidden) drawOutbox(); }, 60000);  // the age of the oldest unsent item moves on

function drawNet() {
  const net = document.getElementById("net");
  net.textContent = isOnline() ? "在线" : "离线";
  net.className = isOnline() ? "net on" : "net off";
}

// ---- sign-out: warn about unsynced work first. Then this user's tasks, synced records, photos, credential and
// session leave the phone; what has not reached the server (signed records in the outbox, records being filled
// in, 补充说明 not yet sent, and their photos) stays on the phone, shown to nobody else, and goes on when the same
// user signs in again. The server hears of the sign-out now, or when the network returns (sync.js sendSignouts).
function signedOutText({ kept, pending }) {
  return ["已退出登录。本机已删除您下载的任务和已同步的记录。",
    kept ? `您尚未同步的 ${kept} 份记录仍保存在本机（其他人登录后看不到），您重新登录后会继续同步。` : "",
    pending ? "本机离线：联网后会自动通知服务器结束本次登录。" : ""].join("");
}

async function signOut() {
  banner("signout-warn");
  banner("session");
  await db.settled();
  const session = state.session;
  await queueSignout(session.signout_token);
  const kept = await db.clearUser(session.user.id, {
    keepDraft: (d) => !d.locked || isWaiting(d),
    keepAmendment: (a) => a.sync.state !== "synced",
  });
  useSession(null);
  Object.assign(state, { session: null, catalog: null });
  if (!session.signout_token && isOnline()) {   // a session from before sign-out tokens: the old way
    await fetch("/logout", { method: "POST", headers: { "X-CSRFToken": session.csrf_token }, credentials: "same-origin" }).catch(() => {});
  }
  if (isOnline() && await sendSignouts()) {
    location.href = "/login";
    return;
  }
  const note = { kept, pending: true, at: new Date().toISOString() };
  await db.setMeta("signed_out", note);
  requestSignoutSync();
  // Offline: a fresh page from the worker's cache (nothing of the previous user stays in memory), or in place.
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    location.replace("/field/");
    return;
  }
  state.signedOut = note;
  history.replaceState(null, "", "/field/");
  document.getElementById("signout").hidden = true;
  drawOutbox();
  render();
}

document.getElementById("signout").addEventListener("click", async () => {
  await db.settled();
  const uid = state.session.user.id;
  const queue = await waiting(uid);
  const open = (await db.all("drafts")).filter((d) => d.user_id === uid && !d.locked).length;
  const amending = (await db.all("amendments")).filter((a) => a.user_id === uid && a.sync.state === "draft").length;
  if (!queue.length && !open && !amending) return signOut();
  const parts = [queue.length ? ` ${queue.length} 条已签字的记录未同步` : "", open ? ` ${open} 份记录正在填写` : "",
    amending ? ` ${amending} 份补充说明未提交` : ""].filter(Boolean).join("，");
  banner("signout-warn",
    h("p.notice.warn", { role: "alert" },
      `本机还有${parts}。退出后它们仍保存在本机（其他人登录后看不到），您重新登录后继续；您下载的任务和已同步的记录将从本机删除。同步前请勿清除浏览器数据。`),
    h("div.row-btns", {},
      h("button.danger", { type: "button", onclick: signOut }, "仍然退出"),
      h("button", { type: "button", onclick: () => banner("signout-warn") }, "取消")));
});

// The sign-in link after an offline sign-out: the server hears of the sign-out before the sign-in page opens, so
// the previous user's cookie cannot take the next person into that account.
document.addEventListener("click", async (e) => {
  const a = e.target.closest('a[href^="/login"]');
  if (!a || !(await pendingSignouts()).length) return;
  e.preventDefault();
  await sendSignouts();
  location.href = a.getAttribute("href");
}, true);

// ---- service worker and the "有新版本" prompt
async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  // A module worker: it imports the outbox code (sync.js) to upload when no page is open.
  const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/", type: "module" });
  const offer = (worker) => banner("update",
    h("p.notice.info", { role: "status" }, "有新版本。更新不会影响本机已填写的内容。"),
    h("button.primary", { type: "button", onclick: async () => {
      await db.settled();            // every keystroke is on disk before the page goes away
      // The page reloads once the new worker is activated, not at controllerchange (which comes while it is still
      // activating): WebKit sent a reload made then to the old worker, whose shell named files just deleted.
      worker.addEventListener("statechange", () => { if (worker.state === "activated") location.reload(); });
      worker.postMessage({ type: "SKIP_WAITING" });
    } }, "立即更新"));
  if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  });
  navigator.serviceWorker.addEventListener("message", async (e) => {
    if (e.data && e.data.type === "FLUSH") {
      await flush();
      const left = state.session ? (await waiting(state.session.user.id)).length : 0;
      if (e.ports[0]) e.ports[0].postMessage({ waiting: left });
    }
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden && isOnline()) reg.update().catch(() => {}); });
  if (isOnline()) reg.update().catch(() => {});
}

// ---- start: cached session and tasks first (works offline), then the network: the session, the tasks and the
// calendar are asked for at once (on 400 ms of latency, one after another cost three round trips before the list)
const fetchTasks = () => watched("/api/field/tasks", { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
  .then((r) => (r.ok ? r.json() : null)).catch(() => null);
const fetchCalendar = () => watched("/field/calendar.json", { cache: "no-store" })
  .then((r) => (r.ok ? r.json() : null)).catch(() => null);

// Stores a download; resolves with whether the tasks or the catalog the phone holds for this user changed.
async function keep(userId, data, cal) {
  let changed = false;
  if (data) {
    const { tasks, ...catalog } = data;
    changed = JSON.stringify(catalog) !== JSON.stringify(state.catalog);
    await db.setMeta("catalog", catalog);
    changed = (await db.replaceTasks(userId, tasks)) || changed;
    state.catalog = catalog;
  }
  if (cal) { await db.setMeta("calendar", cal); state.cal = cal; }
  return changed;
}

async function download() {
  const [data, cal] = await Promise.all([fetchTasks(), fetchCalendar()]);
  await keep(state.session.user.id, data, cal);
}

// Straight from the sign-in page the account may have changed: nothing is shown before the server says whose.
const fromLogin = () => { try { return new URL(document.referrer).pathname === "/login"; } catch { return false; } };

async function start() {
  const notices = platformNotices();
  if (notices.length) banners.append(h("div.banner", {}, notices));
  drawNet();
  // Everything the first screen needs, in one read of the phone's database begun by boot.js before this module ran
  // (the list's cards, not the whole tasks with their checklists).
  const { session, catalog, calendar: cal, signedOut, list } = await booting;
  Object.assign(state, { session, catalog, cal, signedOut });
  if (session) useSession(session);
  const early = session && catalog && !fromLogin();
  if (early) {           // the phone has the tasks: show them now, refresh them when the network answers
    document.getElementById("signout").hidden = false;
    state.preloaded = list;          // for this first render only: later renders read the database again
    await render();
    state.preloaded = null;
  }
  let redraw = !early, changed = false;
  // A sign-out made offline goes to the server before anything else is asked of it.
  if (isOnline() && await sendSignouts()) {
    if (state.signedOut) state.signedOut = { ...state.signedOut, pending: false };
    const [who, data, fresh] = await Promise.all([fetchSession(), fetchTasks(), fetchCalendar()]);
    if (who.status === 200) {
      const now = await db.getMeta("session");
      if (!state.session || state.session.user.id !== now.user.id) redraw = true;
      state.session = now;
      state.signedOut = null;
      await db.delMeta("signed_out");
      changed = await keep(now.user.id, data, fresh);
      banner("session");
    } else {
      await keep(null, null, fresh);
      if (who.status === 401 && state.session) dispatchEvent(new Event("session-expired"));
      else if (who.status === 401) { state.session = null; redraw = true; }
    }
  }
  document.getElementById("signout").hidden = !state.session;
  if (redraw) await render();
  else if (changed && showsTasks()) refreshQuiet();
  // After the first screen: on a slow network the worker's install would compete with the page's own requests.
  registerWorker().catch((err) => console.error(err));
  // The other screens' modules, fetched and compiled while the inspector reads the list: opening a task is then instant.
  // Only through the worker (its cache answers offline): a download cut half-way would leave the module failed.
  const warm = () => LATER.forEach((m) => import(m).catch(() => {}));
  const idle = () => (self.requestIdleCallback ? requestIdleCallback(warm, { timeout: 3000 }) : setTimeout(warm, 1000));
  if (navigator.serviceWorker && navigator.serviceWorker.controller) idle();
  else navigator.serviceWorker?.addEventListener("controllerchange", idle, { once: true });
  drawOutbox();
  flush();
  storageLine().then((line) => { document.getElementById("usage").textContent = line; });
}

addEventListener("online", async () => {
  drawNet(); drawOutbox();
  await flush({ resume: true });   // sends a waiting sign-out first
  if (!state.session) {
    if (state.signedOut && !(await pendingSignouts()).length) state.signedOut = { ...state.signedOut, pending: false };
    render();      // the sign-in screen now offers 登录
  }
});
addEventListener("offline", () => { drawNet(); drawOutbox(); });
// The server answers again after requests had failed (net.js), though navigator.onLine never changed.
addEventListener("net-change", () => { drawNet(); drawOutbox(); });
addEventListener("reachable", async () => {
  await flush({ resume: true });
  if (!state.session && state.signedOut && !(await pendingSignouts()).length) {
    state.signedOut = { ...state.signedOut, pending: false };
    render();
  }
});
document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });

start();
