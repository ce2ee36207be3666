// taavon's own script (the Content-Security-Policy allows no inline script): the phone
// menu's button and the confirmation before an irreversible action. The pages work
// without it; it only adds.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // The phone menu: the button opens and closes the navigation, saying which it is.
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }

  // A form marked `data-confirm` (reject, withdraw, reverse, settle) asks first, in the
  // page's language; its text is the attribute's.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
});

// The province → county selects: choosing a province keeps only its counties in the
// county select (a county of another province is cleared). Without the script the county
// select still works, grouped by province.
document.addEventListener("DOMContentLoaded", () => {
  for (const province of document.querySelectorAll("select[data-narrows]")) {
    const county = document.getElementById(province.dataset.narrows);
    if (!county) continue;
    const narrow = () => {
      for (const group of county.querySelectorAll("optgroup")) {
        const shown = !province.value || group.dataset.province === province.value;
        group.hidden = !shown;
        group.disabled = !shown;
      }
      const chosen = county.selectedOptions[0];
      if (chosen && chosen.parentElement.disabled) county.value = "";
    };
    province.addEventListener("change", narrow);
    narrow();
  }
});

// The Jalali date picker: an input marked `data-jalali` gets a button that opens a month
// of the Jalali calendar as buttons (keyboard: Tab to a day, Enter to choose, Escape to
// close). Typing a date in any digits keeps working; the picker only writes
// `۱۴۰۴/۰۶/۰۹` into the field. Conversion after the jalaali-js algorithm (Borkowski).
const jalali = (() => {
  const breaks = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097,
    2192, 2262, 2324, 2394, 2456, 3178];
  const div = (a, b) => ~~(a / b);
  const mod = (a, b) => a - ~~(a / b) * b;
  function cal(jy) {
    let bl = breaks.length, gy = jy + 621, leapJ = -14, jp = breaks[0], jm, jump, leap, n, i;
    for (i = 1; i < bl; i += 1) {
      jm = breaks[i]; jump = jm - jp;
      if (jy < jm) break;
      leapJ = leapJ + div(jump, 33) * 8 + div(mod(jump, 33), 4);
      jp = jm;
    }
    n = jy - jp;
    leapJ = leapJ + div(n, 33) * 8 + div(mod(n, 33) + 3, 4);
    if (mod(jump, 33) === 4 && jump - n === 4) leapJ += 1;
    const leapG = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150;
    const march = 20 + leapJ - leapG;
    if (jump - n < 6) n = n - jump + div(jump + 4, 33) * 33;
    leap = mod(mod(n + 1, 33) - 1, 4);
    if (leap === -1) leap = 4;
    return { leap, gy, march };
  }
  function g2d(gy, gm, gd) {
    let d = div((gy + div(gm - 8, 6) + 100100) * 1461, 4) + div(153 * mod(gm + 9, 12) + 2, 5) + gd - 34840408;
    return d - div(div(gy + 100100 + div(gm - 8, 6), 100) * 3, 4) + 752;
  }
  function d2g(jdn) {
    let j = 4 * jdn + 139361631;
    j = j + div(div(4 * jdn + 183187720, 146097) * 3, 4) * 4 - 3908;
    const i = div(mod(j, 1461), 4) * 5 + 308;
    const gd = div(mod(i, 153), 5) + 1, gm = mod(div(i, 153), 12) + 1;
    const gy = div(j, 1461) - 100100 + div(8 - gm, 6);
    return [gy, gm, gd];
  }
  function j2d(jy, jm, jd) {
    const r = cal(jy);
    return g2d(r.gy, 3, r.march) + (jm - 1) * 31 - div(jm, 7) * (jm - 7) + jd - 1;
  }
  function d2j(jdn) {
    const gy = d2g(jdn)[0];
    let jy = gy - 621;
    const r = cal(jy);
    let k = jdn - g2d(gy, 3, r.march);
    if (k >= 0) {
      if (k <= 185) return [jy, 1 + div(k, 31), mod(k, 31) + 1];
      k -= 186;
    } else {
      jy -= 1; k += 179;
      if (r.leap === 1) k += 1;
    }
    return [jy, 7 + div(k, 30), mod(k, 30) + 1];
  }
  const monthLength = (jy, jm) => (jm <= 6 ? 31 : jm <= 11 ? 30 : cal(jy).leap === 0 ? 30 : 29);
  return { j2d, d2j, monthLength };
})();

document.addEventListener("DOMContentLoaded", () => {
  const fa = document.documentElement.lang === "fa";
  const digits = (text) => (fa ? String(text).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(text));
  const ascii = (text) => text.replace(/[۰-۹]/g, (d) => "۰۱۲۳۴۵۶۷۸۹".indexOf(d)).replace(/[٠-٩]/g, (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d));
  const months = fa
    ? ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
    : ["Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"];
  const days = fa ? ["ش", "ی", "د", "س", "چ", "پ", "ج"] : ["Sa", "Su", "Mo", "Tu", "We", "Th", "Fr"];
  const pad = (n) => String(n).padStart(2, "0");
  for (const input of document.querySelectorAll("input[data-jalali]")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "picker-toggle";
    button.textContent = input.dataset.jalali;
    button.setAttribute("aria-expanded", "false");
    const panel = document.createElement("div");
    panel.className = "picker";
    panel.hidden = true;
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", input.dataset.jalali);
    input.after(button, panel);
    let shown = null;
    const current = () => {
      const m = ascii(input.value).match(/^(\d{4})\D(\d{1,2})\D(\d{1,2})$/);
      if (m) return [Number(m[1]), Number(m[2])];
      const now = new Date();
      const jdn = Math.floor(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / 86400000) + 2440588;
      const [jy, jm] = jalali.d2j(jdn);
      return [jy, jm];
    };
    const render = () => {
      const [jy, jm] = shown;
      panel.replaceChildren();
      const head = document.createElement("div");
      head.className = "picker-head";
      const prev = document.createElement("button");
      prev.type = "button";
      prev.textContent = fa ? "ماه قبل" : "Previous month";
      prev.addEventListener("click", () => { shown = jm === 1 ? [jy - 1, 12] : [jy, jm - 1]; render(); prev.focus(); });
      const next = document.createElement("button");
      next.type = "button";
      next.textContent = fa ? "ماه بعد" : "Next month";
      next.addEventListener("click", () => { shown = jm === 12 ? [jy + 1, 1] : [jy, jm + 1]; render(); next.focus(); });
      const title = document.createElement("strong");
      title.setAttribute("aria-live", "polite");
      title.textContent = months[jm - 1] + " " + digits(jy);
      head.append(prev, title, next);
      const grid = document.createElement("div");
      grid.className = "picker-grid";
      for (const d of days) {
        const cell = document.createElement("span");
        cell.textContent = d;
        cell.setAttribute("aria-hidden", "true");
        grid.append(cell);
      }
      // Saturday starts the Persian week; the Julian day number modulo 7 gives the weekday.
      const first = jalali.j2d(jy, jm, 1);
      const offset = (first + 2) % 7;
      for (let i = 0; i < offset; i += 1) grid.append(document.createElement("span"));
      for (let d = 1; d <= jalali.monthLength(jy, jm); d += 1) {
        const day = document.createElement("button");
        day.type = "button";
        day.textContent = digits(d);
        day.setAttribute("aria-label", digits(d) + " " + months[jm - 1] + " " + digits(jy));
        day.addEventListener("click", () => {
          input.value = digits(jy + "/" + pad(jm) + "/" + pad(d));
          close();
          input.focus();
        });
        grid.append(day);
      }
      panel.append(head, grid);
    };
    const close = () => { panel.hidden = true; button.setAttribute("aria-expanded", "false"); };
    button.addEventListener("click", () => {
      if (!panel.hidden) { close(); return; }
      shown = current();
      render();
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      panel.querySelector(".picker-grid button")?.focus();
    });
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { close(); button.focus(); }
    });
  }
});

// A list's print button: the page as printed (the print stylesheet leaves out the menu,
// the filters, the pager and every button, and adds the letterhead).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
