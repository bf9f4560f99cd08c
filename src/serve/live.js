// eventref serve: live reload and the build-error overlay.
// Injected into every HTML page by the development server only; never part of a
// built site. No dependencies, no requests but to /__eventref/events.
(function () {
  "use strict";
  if (window.__eventrefLive) return; // injected twice: run once
  window.__eventrefLive = true;

  var SCROLL_KEY = "eventref:scroll:" + location.pathname;
  var HOST_ID = "__eventref-overlay";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (_) {
      return null; // storage disabled
    }
  }

  // Restore, once, the scroll position saved just before a live reload of this page.
  function restoreScroll() {
    var s = storage();
    if (!s) return;
    var pos = null;
    try {
      pos = JSON.parse(s.getItem(SCROLL_KEY) || "null");
      s.removeItem(SCROLL_KEY);
    } catch (_) {
      return;
    }
    if (pos && typeof pos.x === "number" && typeof pos.y === "number") {
      window.scrollTo(pos.x, pos.y);
    }
  }

  function reloadPage() {
    var s = storage();
    if (s) {
      try {
        s.setItem(SCROLL_KEY, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
      } catch (_) {
        // full or disabled: reload without it
      }
    }
    location.reload();
  }

  if (document.readyState === "complete") restoreScroll();
  else window.addEventListener("load", restoreScroll, { once: true });

  // ---- Overlay -------------------------------------------------------------

  var CSS =
    ".backdrop{box-sizing:border-box;height:100%;overflow:auto;padding:5vh 4vw;background:rgba(0,0,0,.5)}" +
    ".box{color-scheme:light;box-sizing:border-box;max-width:62rem;margin:0 auto;padding:1rem 1.25rem 1.25rem;" +
    "background:#fff;color:#1b1b1b;border-top:6px solid #b3261e;border-radius:6px;" +
    "box-shadow:0 8px 32px rgba(0,0,0,.4);font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;" +
    "text-align:left;direction:ltr}" +
    ".head{display:flex;align-items:flex-start;gap:1rem}" +
    "h2{flex:1;margin:0 0 .5rem;font-size:1.25rem;color:#b3261e}" +
    "button{font:inherit;cursor:pointer;border:1px solid currentColor;border-radius:4px;" +
    "background:transparent;color:inherit;padding:.1rem .6rem}" +
    "button:focus-visible{outline:3px solid #4c9aff;outline-offset:2px}" +
    "ol{list-style:none;margin:0;padding:0}" +
    "li{margin:.75rem 0 0;padding:.75rem 0 0;border-top:1px solid rgba(127,127,127,.35)}" +
    ".pos{font:600 13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}" +
    ".sev{font-weight:700;margin-right:.4rem;text-transform:uppercase;font-size:.8em;color:#b3261e}" +
    ".sev.warning{color:#8a5300}" +
    "p{margin:.25rem 0;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".help{color:#2c4a7a}" +
    "pre{margin:.5rem 0 0;padding:.6rem .75rem;overflow:auto;background:#f3f3f3;color:inherit;border-radius:4px;" +
    "font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;tab-size:4}" +
    "@media (prefers-color-scheme:dark){" +
    ".box{color-scheme:dark;background:#1f1f1f;color:#ececec;border-top-color:#ff6b60}" +
    "h2,.sev{color:#ff8a80}.sev.warning{color:#ffc46b}.help{color:#9cc3ff}pre{background:#111}}";

  var overlay = null;

  function removeOverlay() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function position(d) {
    var pos = d.file ? String(d.file) : "";
    if (pos && d.line) {
      pos += ":" + d.line;
      if (d.column) pos += ":" + d.column;
    }
    return pos;
  }

  function showErrors(list) {
    removeOverlay();
    var host = el("div");
    host.id = HOST_ID;
    // Inline, so that no page style can move or hide it.
    host.style.cssText =
      "all:initial;display:block;position:fixed;inset:0;z-index:2147483647;margin:0;padding:0;border:0";
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.appendChild(el("style", null, CSS));

    var backdrop = el("div", "backdrop");
    var box = el("div", "box");
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-live", "assertive");
    box.setAttribute("aria-labelledby", HOST_ID + "-title");

    var head = el("div", "head");
    var title = el("h2", null, "eventref: build failed");
    title.id = HOST_ID + "-title";
    var close = el("button", null, "Close");
    close.type = "button";
    close.addEventListener("click", removeOverlay);
    head.appendChild(title);
    head.appendChild(close);
    box.appendChild(head);

    var items = el("ol");
    for (var i = 0; i < list.length; i++) {
      var d = list[i] || {};
      var item = el("li");
      var line = el("div", "pos");
      var severity = d.severity ? String(d.severity) : "error";
      line.appendChild(el("span", "sev " + (severity === "warning" ? "warning" : "error"), severity));
      line.appendChild(document.createTextNode(position(d)));
      item.appendChild(line);
      if (d.message) item.appendChild(el("p", "msg", d.message));
      if (d.help) item.appendChild(el("p", "help", "help: " + d.help));
      if (d.snippet) item.appendChild(el("pre", null, d.snippet));
      items.appendChild(item);
    }
    if (!list.length) items.appendChild(el("li", null, "See the terminal for details."));
    box.appendChild(items);

    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") removeOverlay();
    });
    backdrop.appendChild(box);
    root.appendChild(backdrop);
    (document.body || document.documentElement).appendChild(host);
    overlay = host;
    try {
      close.focus({ preventScroll: true });
    } catch (_) {
      // focus is best effort
    }
  }

  // ---- Event stream --------------------------------------------------------
  // Every event's id is "<server>-<generation>". The page remembers the first one;
  // an `ok` with another id (after a reconnect: a server restart, or a rebuild
  // while this tab was hidden and disconnected) means the page is stale.

  var source = null;
  var version = null;
  var retry = 0;

  function connect() {
    if (source || !window.EventSource || document.hidden) return;
    var es = new EventSource("/__eventref/events");
    source = es;
    es.addEventListener("ok", function (e) {
      removeOverlay();
      if (version === null) version = e.lastEventId;
      else if (e.lastEventId !== version) reloadPage();
    });
    es.addEventListener("reload", function () {
      reloadPage();
    });
    // `error` is both the server's build-error event (a MessageEvent with data)
    // and EventSource's own connection error (a plain Event without).
    es.addEventListener("error", function (e) {
      if (typeof e.data === "string") {
        if (version === null) version = e.lastEventId;
        var list = [];
        try {
          list = JSON.parse(e.data);
        } catch (_) {
          // keep the empty list
        }
        showErrors(Array.isArray(list) ? list : []);
        return;
      }
      // Lost the connection. EventSource retries by itself unless it gave up.
      if (es.readyState === EventSource.CLOSED) {
        disconnect();
        clearTimeout(retry);
        retry = setTimeout(connect, 2000);
      }
    });
  }

  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
  }

  // Hidden tabs let go of their connection: browsers allow only six per server.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect();
    else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", connect);
  connect();
})();
