/* Atiende workspace: keyboard shortcuts, ticking rows for bulk actions, the requester
   picker, and keeping the live refresh (htmx polling) from replacing what someone is
   working on. htmx makes the requests; this file only helps people. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function typing(element) {
    return !!element && (element.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  /* A live region is busy while someone works in it: an editor open, a row ticked, a
     field focused, or text typed and not sent. Its poll waits until it is idle. */
  function busy(region) {
    if (region.querySelector("details[open], input[name=tickets]:checked")) return true;
    var active = document.activeElement;
    if (active && region.contains(active) && typing(active)) return true;
    return Array.prototype.some.call(region.querySelectorAll("textarea"), function (box) {
      return box.value.trim() !== "";
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (element && element.hasAttribute && element.hasAttribute("data-live") &&
        event.detail.requestConfig && event.detail.requestConfig.verb === "get" &&
        event.detail.requestConfig.triggeringEvent == null && busy(element)) {
      event.preventDefault();
    }
  });

  /* A session that ran out answers a poll with the sign-in page: go there for real
     instead of drawing it inside the queue or the ticket. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var marked = document.querySelector("[data-login-url]");
    var answered = event.detail.xhr && event.detail.xhr.responseURL;
    if (marked && answered &&
        new URL(answered).pathname === marked.getAttribute("data-login-url")) {
      event.detail.shouldSwap = false;
      window.location.assign(answered);
      return;
    }
    /* A refusal the server explained (not allowed, say) comes aimed at the notice area:
       show its words there rather than the generic error. */
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget") === "#ticket-notice") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function showError() {
    var notice = document.querySelector("[data-error-notice]");
    if (!notice) return;
    var message = document.createElement("p");
    message.className = "alert alert-error";
    message.setAttribute("role", "alert");
    message.textContent = notice.getAttribute("data-message");
    notice.replaceChildren(message);
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", function (event) {
    // A poll that cannot reach the server tries again in 10 seconds: say nothing.
    var element = event.detail.elt;
    if (!(element && element.hasAttribute && element.hasAttribute("data-live"))) showError();
  });

  /* --- queue: the highlighted row (j/k), ticking (x), the selection count ----------- */

  var currentNumber = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  }

  function highlight(row) {
    rows().forEach(function (each) { each.classList.toggle("is-current", each === row); });
    if (!row) return;
    currentNumber = row.getAttribute("data-number");
    row.scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    return rows().filter(function (row) {
      return row.getAttribute("data-number") === currentNumber;
    })[0] || null;
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(currentRow());
    highlight(all[Math.min(all.length - 1, Math.max(0, index < 0 ? 0 : index + step))]);
  }

  function countSelection() {
    var label = document.querySelector("[data-selected-count]");
    if (!label) return;
    var ticked = document.querySelectorAll("input[name=tickets]:checked").length;
    label.textContent = ticked ? ticked + " " + label.getAttribute("data-some")
      : label.getAttribute("data-none");
    var bar = document.getElementById("bulk-form");
    if (bar) bar.classList.toggle("has-selection", ticked > 0);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=tickets]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.matches("[data-select-all], input[name=tickets]")) countSelection();
  });

  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, input, button, label")) {
      window.location.href = row.getAttribute("data-href");
    }
    var option = event.target.closest && event.target.closest("[data-pick]");
    if (option) {
      var field = option.closest(".field").querySelector("[data-picker]");
      field.value = option.getAttribute("data-pick");
      option.closest("[data-picker-results]").replaceChildren();
      field.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (currentNumber) highlight(currentRow());
    countSelection();
  });

  /* --- keys ----------------------------------------------------------------------- */

  function press(key) {
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return false;
    if (typing(target) && target.type !== "radio" && target.type !== "hidden") {
      target.focus();
    } else if (target.type !== "hidden") {
      target.click();
    }
    var then = target.getAttribute("data-shortcut-focus");
    if (then && document.querySelector(then)) document.querySelector(then).focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && active &&
        active.tagName === "TEXTAREA" && active.form) {
      event.preventDefault();
      active.form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && typing(active)) {
      active.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(active)) return;
    var help = document.getElementById("shortcuts");
    var handled = true;
    switch (event.key) {
      case "?":
        if (help && help.togglePopover) help.togglePopover(); else handled = false;
        break;
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x": {
        var box = currentRow() && currentRow().querySelector("input[name=tickets]");
        if (box) { box.checked = !box.checked; countSelection(); } else handled = false;
        break;
      }
      case "o":
      case "Enter":
        if (currentRow() && (!active || active === document.body || currentRow().contains(active))) {
          window.location.href = currentRow().getAttribute("data-href");
        } else handled = false;
        break;
      case "/": {
        var search = document.querySelector("[data-shortcut-search]") ||
          document.querySelector("input[type=search]");
        if (search) search.focus(); else handled = false;
        break;
      }
      default:
        handled = press(event.key);
    }
    if (handled) event.preventDefault();
  });
})();
