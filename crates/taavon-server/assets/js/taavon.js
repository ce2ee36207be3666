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
