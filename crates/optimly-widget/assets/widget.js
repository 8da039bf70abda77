// The Optimly chat widget: a chat panel, a lead form and a booking form, talking to the
// optimly-widget router that served this script (never to Optimly, and never with a key).
// Every text is written with textContent: nothing a visitor or the agent says is HTML.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/optimly/widget.js", document.baseURI);
  var root = base.href.replace(/\/optimly\/widget\.js(\?.*)?$/, "");
  var api = root + "/api";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function request(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(api + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.error || "Something went wrong; please try again.");
          error.status = response.status;
          error.fields = data.fields || [];
          error.retryAfter = data.retry_after;
          throw error;
        }
        return data;
      });
    });
  }

  var link = el("link", { rel: "stylesheet", href: root + "/optimly/widget.css" });
  document.head.appendChild(link);

  var panel = el("section", { id: "optimly-widget", "aria-label": "Chat with us" });
  var header = el("header", { class: "optimly-header" }, "Chat with us");
  var log = el("ol", { id: "optimly-messages", "aria-live": "polite" });
  var typing = el("div", { id: "optimly-typing", class: "optimly-typing", role: "status", hidden: "" });
  typing.appendChild(el("span", { class: "optimly-dot" }));
  typing.appendChild(el("span", { class: "optimly-dot" }));
  typing.appendChild(el("span", { class: "optimly-dot" }));
  typing.appendChild(el("span", { class: "optimly-visually-hidden" }, "The assistant is typing"));
  var notice = el("p", { id: "optimly-notice", class: "optimly-notice", role: "alert", hidden: "" });
  var form = el("form", { id: "optimly-send-form", class: "optimly-compose" });
  var input = el("input", { id: "optimly-input", name: "content", type: "text", autocomplete: "off",
    placeholder: "Type a message", "aria-label": "Your message" });
  var send = el("button", { id: "optimly-send", type: "submit" }, "Send");
  form.appendChild(input);
  form.appendChild(send);

  var tabs = el("nav", { class: "optimly-tabs" });
  var leadTab = el("button", { type: "button", id: "optimly-lead-tab" }, "Get in touch");
  var bookTab = el("button", { type: "button", id: "optimly-book-tab" }, "Book a call");
  var humanTab = el("button", { type: "button", id: "optimly-human-tab" }, "Talk to a person");
  tabs.appendChild(leadTab);
  tabs.appendChild(bookTab);
  tabs.appendChild(humanTab);

  function field(formNode, name, label, type, required) {
    var wrap = el("label", { class: "optimly-field" });
    wrap.appendChild(el("span", {}, label));
    var attrs = { name: name, type: type };
    if (required) attrs.required = "";
    wrap.appendChild(el("input", attrs));
    wrap.appendChild(el("span", { class: "optimly-field-error", "data-field": name, role: "alert" }));
    formNode.appendChild(wrap);
  }

  function formPanel(id, title, fields, submitText) {
    var node = el("form", { id: id, class: "optimly-form", hidden: "", novalidate: "" });
    node.appendChild(el("h3", {}, title));
    fields.forEach(function (f) { field(node, f[0], f[1], f[2], f[3]); });
    node.appendChild(el("button", { type: "submit" }, submitText));
    node.appendChild(el("p", { class: "optimly-form-status", role: "status" }));
    return node;
  }

  var leadForm = formPanel("optimly-lead-form", "Leave your details", [
    ["full_name", "Name", "text", true],
    ["email", "Email", "email", true],
    ["phone", "Phone", "tel", false],
    ["company", "Company", "text", false]
  ], "Send my details");
  var bookForm = formPanel("optimly-appointment-form", "Book a call", [
    ["name", "Name", "text", true],
    ["email", "Email", "email", true],
    ["date", "Date", "date", true],
    ["time", "Time", "time", true],
    ["notes", "Notes", "text", false]
  ], "Request the call");

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(notice);
  panel.appendChild(form);
  panel.appendChild(tabs);
  panel.appendChild(leadForm);
  panel.appendChild(bookForm);

  function show(message) {
    var item = el("li", { class: "optimly-message optimly-" + message.role });
    item.appendChild(el("span", { class: "optimly-text" }, message.content));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function tell(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function describe(error) {
    if (error.status === 429 && error.retryAfter) {
      return error.message + " (about " + error.retryAfter + " s)";
    }
    return error.message;
  }

  var ready = null;
  function start() {
    ready = request("POST", "/conversation").then(function (started) {
      if (!started.resumed) return;
      return request("GET", "/messages").then(function (history) {
        history.messages.forEach(show);
      });
    });
    ready.catch(function (error) { tell(describe(error)); });
    return ready;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var content = input.value.trim();
    if (!content) return;
    input.value = "";
    tell("");
    show({ role: "user", content: content });
    typing.hidden = false;
    send.disabled = true;
    ready.then(function () {
      return request("POST", "/messages", { content: content });
    }).then(function (answer) {
      show(answer.reply);
    }).catch(function (error) {
      tell(describe(error));
      if (error.status === 404 || error.status === 401 || error.status === 403) start();
    }).then(function () {
      typing.hidden = true;
      send.disabled = false;
      input.focus();
    });
  });

  function values(formNode) {
    var body = {};
    Array.prototype.forEach.call(formNode.querySelectorAll("input"), function (node) {
      var value = node.value.trim();
      if (value || node.required) body[node.name] = value;
    });
    return body;
  }

  function clearErrors(formNode) {
    Array.prototype.forEach.call(formNode.querySelectorAll(".optimly-field-error"), function (node) {
      node.textContent = "";
    });
    Array.prototype.forEach.call(formNode.querySelectorAll("input"), function (node) {
      node.removeAttribute("aria-invalid");
    });
  }

  function submitForm(formNode, path, done) {
    formNode.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = formNode.querySelector(".optimly-form-status");
      clearErrors(formNode);
      status.textContent = "";
      ready.then(function () {
        return request("POST", path, values(formNode));
      }).then(function () {
        status.textContent = done;
        formNode.classList.add("optimly-done");
      }).catch(function (error) {
        var placed = false;
        error.fields.forEach(function (f) {
          var slot = formNode.querySelector('.optimly-field-error[data-field="' + f.field + '"]');
          var box = formNode.querySelector('input[name="' + f.field + '"]');
          if (slot) {
            slot.textContent = f.message;
            placed = true;
          }
          if (box) box.setAttribute("aria-invalid", "true");
        });
        status.textContent = placed ? "" : describe(error);
      });
    });
  }

  submitForm(leadForm, "/lead", "Thanks! We'll be in touch.");
  submitForm(bookForm, "/appointment", "Thanks! You'll get a confirmation by email.");

  function toggle(target) {
    [leadForm, bookForm].forEach(function (node) {
      node.hidden = node !== target || !node.hidden;
    });
  }
  leadTab.addEventListener("click", function () { toggle(leadForm); });
  bookTab.addEventListener("click", function () { toggle(bookForm); });
  humanTab.addEventListener("click", function () {
    ready.then(function () {
      return request("POST", "/handoff", { reason: "The visitor asked for a person in the chat widget" });
    }).then(function () {
      tell("A member of our team will follow up by email.");
    }).catch(function (error) { tell(describe(error)); });
  });

  function mount() {
    document.body.appendChild(panel);
    start();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
