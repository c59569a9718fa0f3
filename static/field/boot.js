// The start-up read of the phone's database, begun as soon as this file and db.js have loaded: the shell loads
// it as an async module ahead of the app's other modules, so the session, the catalog and the list's cards are
// on their way while the rest of the app is still being fetched and compiled. app.js awaits it once, at start.
import { boot } from "./db.js";

export const booting = boot();
booting.catch(() => {});             // app.js awaits it and shows what went wrong; nothing is reported before
