// 亮证: the inspector's credential QR code, kept on the phone to show offline.
import * as db from "../db.js";
import { h, mount, fmtTime } from "../ui.js";
import { state, back, notice } from "./common.js";
import { isOnline, watched } from "../net.js";

// ---------------------------------------------------------------- 亮证
const CREDENTIAL_STATES = { valid: "有效", revoked: "已作废", expired: "已过期", not_yet: "尚未生效", on_leave: "休假中" };

export async function credentialView(root) {
  const key = `credential:${state.session.user.id}`;
  let cred = await db.getMeta(key);
  let missing = false;
  if (isOnline()) {
    const r = await watched("/api/field/credential", { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .catch(() => null);
    if (r && r.ok) {
      cred = { ...(await r.json()), fetched_at: new Date().toISOString() };
      await db.setMeta(key, cred);
    } else if (r && r.status === 404) missing = true;
  }
  const top = [back("/field/", "我的任务"), h("h1", {}, "亮证")];
  if (!cred) {
    return mount(root, ...top, notice(missing ? "您的账号没有关联执法人员名录，无法出示执法证件。"
      : "本机还没有您的证件二维码，请联网后打开本页，之后离线也能出示。", "warn"));
  }
  mount(root, ...top,
    h("section.card.credential", {},
      h("img.qr", { src: cred.qr_png_data_url, alt: "执法证件核验二维码" }),
      h("p.cred-name", {}, cred.name),
      h("p", {}, cred.department),
      h("p", {}, "执法证号 ", h("strong", {}, cred.certificate)),
      h("p", {}, `有效期 ${cred.valid_from || "—"} 至 ${cred.valid_to || "—"}`),
      h(`p.cred-state.${cred.state === "valid" ? "ok" : "bad"}`, {}, CREDENTIAL_STATES[cred.state] || cred.state)),
    h("p.muted", {}, "请当事人用手机扫描二维码，核验执法人员身份。", isOnline() ? "" : `（离线，显示 ${fmtTime(cred.fetched_at)} 下载的证件）`));
}
