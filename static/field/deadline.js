// The five-working-day sync window, counted like webapp/domain/workdays.py: the end of the n-th working day
// after the inspection date, with the calendar the server sent (statutory holidays, 调休, office overrides).
const DAY = 86400000;
const FIXED_HOLIDAYS = new Set(["01-01", "05-01", "10-01", "10-02", "10-03"]);

const toTime = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
const toIso = (t) => new Date(t).toISOString().slice(0, 10);

export function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function isWorkday(cal, iso) {
  if (cal && cal.days) {
    const i = Math.round((toTime(iso) - toTime(cal.start)) / DAY);
    if (i >= 0 && i < cal.days.length) return [cal.days[i] === "1", (cal.provisional || []).includes(iso)];
  }
  const wd = new Date(toTime(iso)).getUTCDay();
  return [wd !== 0 && wd !== 6 && !FIXED_HOLIDAYS.has(iso.slice(5)), true];
}

export function addWorkdays(cal, startIso, n) {
  let t = toTime(startIso), counted = 0, provisional = false;
  while (counted < n) {
    t += DAY;
    const [works, guessed] = isWorkday(cal, toIso(t));
    provisional ||= guessed;
    if (works) counted += 1;
  }
  return { due: toIso(t), provisional };
}

export function workdaysBetween(cal, startIso, endIso) {
  let t = toTime(startIso), count = 0;
  const end = toTime(endIso);
  while (t < end) { t += DAY; if (isWorkday(cal, toIso(t))[0]) count += 1; }
  return count;
}

// The line each task shows. `server` is the server's answer once the record is stored (sync_due, late).
export function deadlineText({ cal, inspectedOn, entryDays, server, today = localToday() }) {
  if (server && server.sync_due) {
    return { text: `已同步（期限 ${server.sync_due}${server.late ? "，逾期提交" : ""}）`, late: !!server.late };
  }
  if (!inspectedOn) return null;
  const { due, provisional } = addWorkdays(cal, inspectedOn, entryDays || 5);
  const guess = provisional ? "，期限为推算值" : "";
  if (today > due) return { text: `须于 ${due} 前同步（已逾期，仍可同步，将标记为逾期）${guess}`, late: true };
  // Today counts when it is a working day, and so does the due day itself (as the server counts).
  const left = workdaysBetween(cal, toIso(toTime(today) - DAY), due);
  return { text: `须于 ${due} 前同步（剩余 ${left} 个工作日）${guess}`, late: false, due };
}
