/* Service worker of the field app (现场检查). Served from /sw.js with its version and precache list filled in
   by the server from the real asset files, so any asset change changes these bytes and triggers an update.
   The files are precached under their versioned URLs (/static/v/<version>/field/…), and the imports below are
   rewritten to them by the server. */
import { flush, isHeld, sendSignouts, waiting } from "/static/field/sync.js";
import { getMeta } from "/static/field/db.js";

const VERSION = "__VERSION__";
const PRECACHE = [/*__PRECACHE__*/];
const PREFIX = "field-shell-";
const CACHE = PREFIX + VERSION;
const SHELL = "/field/";
const SYNC_TAG = "field-outbox";

// ---- install: every shell file of this version into this version's cache.
self.addEventListener("install", (event) => {
  // Where the browser has the static router (Chromium), the app's start page and this version's files come
  // straight from this version's cache without running this script: opening the app does not wait for the worker
  // to start, or for a fetch event per file. Elsewhere (WebKit) the fetch handler below does the same.
  const routes = !event.addRoutes ? null : event.addRoutes([
    { condition: { urlPattern: new URLPattern({ pathname: SHELL, search: "" }), requestMode: "navigate" }, source: { cacheName: CACHE } },
    { condition: { urlPattern: new URLPattern({ pathname: `/static/v/${VERSION}/*` }) }, source: { cacheName: CACHE } },
  ]).catch((err) => console.error(err));        // without routes the fetch handler serves the same files
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Versioned files are immutable: the copies the page just loaded into the HTTP cache do (on a slow network
    // the first visit does not download everything twice). The shell and the manifest are fetched fresh.
    const fresh = (url) => (url.includes("/static/v/") ? "default" : "reload");
    await Promise.all([routes,
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: fresh(url), credentials: "same-origin" })))]);
    // No skipWaiting here: the page offers "有新版本" and the inspector chooses when, so a draft is never cut.
  })());
});

// ---- activate: delete only our own older caches, then take the open pages.
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data && event.data.type === "VERSION" && event.ports[0]) event.ports[0].postMessage(VERSION);
});

// ---- fetch: a small router. Only same-origin GETs of the field app; everything else goes to the network.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isAppPage(url.pathname)) {
    event.respondWith(fromCache(SHELL, request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromCache(url.pathname, request));
  }
});

// /field/import is a page of the server (uploading an exported outbox file), not of the app.
const SERVER_PAGES = ["/field/import"];

function isAppPage(path) {
  if (SERVER_PAGES.includes(path.replace(/\/$/, ""))) return false;
  return path === "/field" || path.startsWith("/field/") || path.startsWith("/checkin/");
}

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  return fetch(request);  // the cache was evicted: fall back to the network rather than fail
}

// ---- Background Sync: the open field pages flush their outbox; with none open (the inspector closed the app),
// the worker uploads the outbox itself, with the same code and the same session cookie.
self.addEventListener("sync", (event) => {
  // A sign-out made without network: tell the server, whether or not a page is open.
  if (event.tag === "field-signout") {
    event.waitUntil(sendSignouts().then((clear) => { if (!clear) throw new Error("sign-out not sent"); }));
    return;
  }
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: "window" });
    if (!pages.length) {
      await flush();
      const session = await getMeta("session");
      const left = session ? (await waiting(session.user.id)).filter((d) => !isHeld(d)) : [];
      if (left.length) throw new Error("outbox not empty");  // the browser tries again later
      return;
    }
    const answers = pages.map((client) => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => resolve(e.data);
      client.postMessage({ type: "FLUSH" }, [channel.port2]);
      setTimeout(() => resolve({ waiting: -1 }), 60000);
    }));
    const results = await Promise.all(answers);
    // Something still waiting: reject so the browser tries the sync again later.
    if (results.some((r) => r && r.waiting > 0)) throw new Error("outbox not empty");
  })());
});
