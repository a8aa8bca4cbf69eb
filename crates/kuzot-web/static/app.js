// kuzot's only script: progress for uploads and running imports. Served from /static
// under a CSP that forbids inline script; the pages work without it (the upload form
// posts normally, the job page refreshes itself).
"use strict";

function uploadWithProgress(form) {
  const bar = document.getElementById("upload-progress");
  const button = document.getElementById("upload-submit");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        bar.hidden = false;
        bar.max = e.total;
        bar.value = e.loaded;
      }
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", () => {
      button.disabled = false;
    });
    button.disabled = true;
    xhr.send(new FormData(form));
  });
}

function followJob(box) {
  const id = box.dataset.job;
  const progress = document.getElementById("job-progress");
  const documents = document.getElementById("job-documents");
  const tick = () => {
    fetch(`/imports/jobs/${encodeURIComponent(id)}/status`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((s) => {
        if (s.total_bytes > 0) {
          progress.max = s.total_bytes;
          progress.value = s.read_bytes;
        }
        documents.textContent = String(s.documents);
        // Every state after these two is an end: done, partly_rejected, rejected, failed.
        if (s.state !== "queued" && s.state !== "running") {
          window.location.reload();
        } else {
          window.setTimeout(tick, 700);
        }
      })
      .catch(() => window.setTimeout(tick, 2000));
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (form) uploadWithProgress(form);
  const job = document.getElementById("job");
  if (job && (job.dataset.state === "queued" || job.dataset.state === "running")) followJob(job);
});

// "Copy the citation": the text stays selectable in its <pre> without script; with
// script a button copies it whole.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const done = document.getElementById(button.dataset.copy + "-copied");
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(source.textContent).then(() => {
      if (done) done.hidden = false;
    });
  });
}

// On a phone a wide table scrolls inside itself (app.css); a region that scrolls must be
// reachable from the keyboard, so such a table becomes focusable.
for (const table of document.querySelectorAll("table")) {
  if (table.scrollWidth > table.clientWidth + 1 && !table.hasAttribute("tabindex")) {
    table.tabIndex = 0;
  }
}

// The label form's facts: "Add a fact" copies the last (blank) row under the next row
// number, and "Mark the selection" turns a selection in the message into character
// offsets (a line break counts one, as the server counts it). Without script the form
// has two blank rows and the server finds a value's place in the text itself.
const factRows = document.getElementById("fact-rows");
const messageText = document.getElementById("text");
if (factRows) {
  const rowNumber = (row) => Number((row.id || "").replace("fact-", ""));
  const markButton = (row) => {
    const button = row.querySelector("button.mark-span");
    if (!button || !messageText) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
      const range = selection.getRangeAt(0);
      if (!messageText.contains(range.startContainer) || !messageText.contains(range.endContainer)) return;
      const before = document.createRange();
      before.setStart(messageText, 0);
      before.setEnd(range.startContainer, range.startOffset);
      const start = [...before.toString()].length;
      const picked = range.toString();
      const end = start + [...picked].length;
      row.querySelector("input.sel").value = `${start}-${end}`;
      const value = row.querySelector('input[name$="-value"]');
      const kind = row.querySelector(".kind select").value;
      if (value && !value.value.trim()) {
        value.value = kind === "money" ? picked.replace(/[^\d\s.,–-]/g, "").trim() : picked.trim();
      }
      const note = row.querySelector(".marked");
      note.textContent = `${factRows.dataset.marked}: «${picked.trim()}»`;
    });
  };
  for (const row of factRows.querySelectorAll(".fact-row")) markButton(row);
  const add = document.getElementById("fact-add");
  add.hidden = false;
  add.addEventListener("click", () => {
    const rows = factRows.querySelectorAll(".fact-row");
    const last = rows[rows.length - 1];
    const next = Math.max(...[...rows].map(rowNumber)) + 1;
    const row = last.cloneNode(true);
    row.id = `fact-${next}`;
    row.querySelector("legend").textContent = factRows.dataset.legend.replace("#", String(next + 1));
    for (const field of row.querySelectorAll("[name]")) {
      field.name = field.name.replace(/^f\d+-/, `f${next}-`);
      if (field.type === "checkbox") field.checked = false;
      else if (field.tagName === "SELECT") field.selectedIndex = 0;
      else field.value = "";
    }
    row.querySelector(".marked").textContent = factRows.dataset.unmarked;
    // A copy has no listeners: give its button its own.
    markButton(row);
    last.after(row);
    row.querySelector(".kind select").focus();
  });
}
