// The review UI's behaviour: keyboard shortcuts, and the grounding check as you type.
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf || "";
  const help = document.getElementById("help");
  const editor = document.getElementById("reply");
  let pendingG = false;

  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT");
  }

  // ---- queue navigation
  const rows = Array.from(document.querySelectorAll("table.queue tbody tr[data-href]"));
  let selected = -1;
  function select(i) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, n) => r.classList.toggle("selected", n === selected));
    rows[selected].scrollIntoView({ block: "nearest" });
  }
  rows.forEach((r) => r.addEventListener("click", (e) => {
    if (e.target.tagName !== "A") window.location = r.dataset.href;
  }));

  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && editor) {
      e.preventDefault();
      document.getElementById("approve-form").requestSubmit();
      return;
    }
    if (e.key === "Escape") {
      if (help && !help.hidden) help.hidden = true;
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(document.activeElement) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "?") { help.hidden = !help.hidden; return; }
    if (pendingG && e.key === "q") { window.location = "/ui/queue"; return; }
    pendingG = e.key === "g";
    if (e.key === "j") select(selected + 1);
    else if (e.key === "k") select(selected - 1);
    else if (e.key === "Enter" && selected >= 0) window.location = rows[selected].dataset.href;
    else if (e.key === "e" && editor) { e.preventDefault(); editor.focus(); }
    else if (e.key === "r" && document.getElementById("reason")) {
      e.preventDefault(); document.getElementById("reason").focus();
    }
  });

  // ---- the grounding check as the specialist edits
  if (!editor) return;
  const findings = document.getElementById("findings");
  const preview = document.getElementById("preview");
  let timer = null;
  let seq = 0;

  function escape(s) {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function render(text, result) {
    const items = result.unsupported.slice().sort((a, b) => a.start - b.start);
    let html = "", cursor = 0;
    for (const f of items) {
      if (f.start < cursor) continue;
      html += escape(text.slice(cursor, f.start));
      html += '<mark class="finding" title="' + escape(f.kind + ": " + f.why) + '">' + escape(text.slice(f.start, f.end)) + "</mark>";
      cursor = f.end;
    }
    html += escape(text.slice(cursor));
    preview.innerHTML = html.replace(/\n/g, "<br>");
    findings.dataset.verdict = result.verdict;
    if (result.verdict === "pass") {
      findings.innerHTML = '<p class="verdict pass">Grounding: pass (' + result.claims + " claims checked)</p>";
    } else {
      findings.innerHTML = '<p class="verdict fail">Grounding: fail (' + items.length + ")</p><ul>" +
        items.map((f) => "<li><strong>" + escape(f.kind) + "</strong> “" + escape(f.text) + "”: " + escape(f.why) + "</li>").join("") + "</ul>";
    }
  }

  async function check() {
    const mine = ++seq;
    const text = editor.value;
    try {
      const response = await fetch(editor.dataset.check, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ text: text }),
      });
      const body = await response.json();
      if (mine !== seq) return; // a newer edit is being checked
      if (!response.ok) {
        findings.innerHTML = '<p class="error">' + escape(body.error ? body.error.message : "check failed") + "</p>";
        return;
      }
      render(text, body);
    } catch (err) {
      findings.innerHTML = '<p class="error">The check could not reach the service; your text is kept.</p>';
    }
  }

  editor.addEventListener("input", () => {
    findings.innerHTML = '<p class="muted">Checking…</p>';
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
