// Phones as they are: persistent storage, space used, iOS Safari's 7-day eviction, WeChat's in-app browser.
import { h, fmtBytes } from "./ui.js";

const ua = navigator.userAgent;
export const isWeChat = /MicroMessenger/i.test(ua);
export const isIOS = /iPhone|iPad|iPod/i.test(ua) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
export const isStandalone = () => navigator.standalone === true || matchMedia("(display-mode: standalone)").matches;

export function platformNotices() {
  const out = [];
  if (isWeChat) {
    out.push(h("p.notice.warn", { role: "alert" },
      "您正在微信内置浏览器中打开。请点右上角“…”，选择“在浏览器打开”，在系统浏览器中使用现场检查，否则离线功能和本机数据可能无法保留。"));
  } else if (isIOS && !isStandalone()) {
    out.push(h("p.notice.warn", { role: "alert" },
      "iPhone 的 Safari 在 7 天未访问本网站后可能删除本机保存的检查记录。请点“分享”→“添加到主屏幕”，从主屏幕图标打开，并及时同步。"));
  }
  return out;
}

// Ask once for persistent storage (Chrome grants it to installed or engaged sites), then show the figures.
export async function storageLine() {
  if (!navigator.storage || !navigator.storage.estimate) return "";
  let persisted = false;
  try {
    persisted = await navigator.storage.persisted();
    if (!persisted && navigator.storage.persist) persisted = await navigator.storage.persist();
  } catch { /* not offered */ }
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  const mode = persisted ? "已设为持久保存" : "未获持久保存授权，空间不足时浏览器可能清除";
  return `本机已用 ${fmtBytes(usage)}，可用约 ${fmtBytes(quota)}；${mode}`;
}
