// The detail pages' forms (issue 13): amounts regrouped with thousands separators as
// they are typed, the application form checked against its program's limits before it
// is sent, and the print buttons. The pages work without it; it only adds.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const fa = document.documentElement.lang === "fa";
  const persian = "۰۱۲۳۴۵۶۷۸۹";
  const arabic = "٠١٢٣٤٥٦٧٨٩";
  // Any digit typed (Persian, Arabic or Latin) as its value.
  const digitOf = (c) => {
    if (c >= "0" && c <= "9") return c;
    const p = persian.indexOf(c);
    if (p >= 0) return String(p);
    const a = arabic.indexOf(c);
    return a >= 0 ? String(a) : null;
  };
  const digitsOf = (text) => [...text].map(digitOf).filter((d) => d !== null).join("");
  const shown = (digits) => {
    const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, fa ? "٬" : ",");
    return fa ? grouped.replace(/[0-9]/g, (d) => persian[d]) : grouped;
  };

  // An amount is regrouped as it is typed, in the page's digits, the caret kept after
  // the same digit; the server reads any digits and separators.
  for (const input of document.querySelectorAll("input[data-amount]")) {
    const regroup = () => {
      const before = digitsOf(input.value.slice(0, input.selectionStart ?? input.value.length)).length;
      const digits = digitsOf(input.value).replace(/^0+(?=\d)/, "");
      const text = shown(digits);
      if (text === input.value) return;
      input.value = text;
      let caret = 0;
      for (let seen = 0; caret < text.length && seen < before; caret += 1) {
        if (digitOf(text[caret]) !== null) seen += 1;
      }
      input.setSelectionRange(caret, caret);
    };
    input.addEventListener("input", regroup);
    if (input.value) regroup();
  }

  // The application form: the chosen program's limits (its row of the limits table)
  // checked before the form is sent; each broken limit marks its field and is said at
  // the top of the form.
  for (const form of document.querySelectorAll("form[data-limits]")) {
    const table = document.getElementById(form.dataset.limits);
    const alert = document.getElementById("limits-error");
    if (!table || !alert) continue;
    const field = (name) => form.querySelector(`[name="${name}"]`);
    form.addEventListener("submit", (event) => {
      const program = field("program");
      const row = program && [...table.querySelectorAll("tr[data-program]")]
        .find((r) => r.dataset.program === program.value);
      if (!row) return;
      const number = (name) => Number(digitsOf(field(name)?.value ?? "") || "0");
      const amount = number("amount");
      const jobs = number("jobs");
      const limits = row.dataset;
      const broken = [];
      if (amount < Number(limits.minAmount) || amount > Number(limits.maxAmount)) {
        broken.push(["amount", limits.amountMessage]);
      } else if (Number(limits.maxPerJob) > 0 && amount > Number(limits.maxPerJob) * jobs) {
        broken.push(["amount", limits.perJobMessage]);
      }
      if (jobs < Number(limits.minJobs)) broken.push(["jobs", limits.jobsMessage]);
      for (const name of ["amount", "jobs"]) {
        const input = field(name);
        if (!input) continue;
        if (broken.some(([n]) => n === name)) input.setAttribute("aria-invalid", "true");
        else if (!input.closest("form").querySelector(`#${input.id}-error`)) input.removeAttribute("aria-invalid");
      }
      if (broken.length === 0) {
        alert.hidden = true;
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      alert.textContent = broken.map(([, message]) => message).join(" ");
      alert.hidden = false;
      field(broken[0][0])?.focus();
    });
  }

  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
