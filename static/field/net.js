// Can the server be reached? navigator.onLine only says a network interface is up: on a phone behind a dead Wi-Fi,
// a captive portal or a tunnel (and in WebKit whenever the server is unreachable) it stays true. So the app's
// offline state also follows its own requests: a request that fails at the network marks the server unreachable,
// any answer from it marks it reachable again, and while it is unreachable a small probe asks now and then.
// "net-change" is dispatched on every change; coming back also dispatches "reachable", on which the outbox flushes.
const PROBE = "/healthz";
const PROBE_FIRST = 2000;
const PROBE_MAX = 30000;

let reachable = true;
let probeTimer = null;
let probeDelay = PROBE_FIRST;

export const isOnline = () => navigator.onLine && reachable;

function change(now) {
  if (reachable === now) return;
  reachable = now;
  self.dispatchEvent(new Event("net-change"));
  if (now) self.dispatchEvent(new Event("reachable"));
}

// A request got no answer from the server (fetch rejected): offline until something answers.
export function sawFailure() {
  change(false);
  if (!probeTimer) { probeDelay = PROBE_FIRST; probeTimer = setTimeout(probe, probeDelay); }
}

// The server answered (any HTTP status): it is reachable.
export function sawAnswer() {
  clearTimeout(probeTimer);
  probeTimer = null;
  change(true);
}

async function probe() {
  probeTimer = null;
  if (!navigator.onLine) { probeTimer = setTimeout(probe, PROBE_MAX); return; }  // "online" will wake us sooner
  try {
    await fetch(PROBE, { cache: "no-store", credentials: "omit" });
    sawAnswer();
  } catch {
    probeDelay = Math.min(PROBE_MAX, probeDelay * 1.5);
    probeTimer = setTimeout(probe, probeDelay);
  }
}

// fetch() that tells this module what happened; rejects as fetch does.
export async function watched(url, options) {
  try {
    const res = await fetch(url, options);
    sawAnswer();
    return res;
  } catch (err) {
    sawFailure();      // no answer, or none in time (the caller's timeout aborted it)
    throw err;
  }
}

self.addEventListener("online", () => { if (!reachable) probe(); });
