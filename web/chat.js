/*
 * The conference chat widget: a small client of Rasa's socketio channel.
 *
 * Protocol (rasa/core/channels/socketio.py, credentials.yml):
 *   → session_request {session_id}     on every (re)connect; the server answers
 *   ← session_confirm "<session_id>"   and puts this socket in that session's room
 *   → user_uttered {message, customData: {language}, session_id}
 *   ← bot_uttered {text, quick_replies?: [{title, payload}]}
 *
 * Everything is rendered with textContent / text nodes, never as HTML; only http(s)
 * URLs become links. The transcript and the session id are kept in sessionStorage, so
 * a reload keeps the conversation (and the server keeps the tracker under that id).
 */
(function () {
  "use strict";

  var STORAGE_KEY = "conference-chat";
  var MAX_STORED_MESSAGES = 200;
  var TYPING_TIMEOUT_MS = 20000;
  var FALLBACK_PAGE = {
    languages: [{ code: "en", name: "English", dir: "ltr" }],
    texts: { en: {} },
  };

  var page = FALLBACK_PAGE;
  var state = loadState();
  var socket = null;
  var confirmed = false;
  var waiting = []; // messages typed while the connection was down
  var typingTimer = null;

  var el = {
    log: document.getElementById("chat-log"),
    form: document.getElementById("chat-form"),
    input: document.getElementById("chat-input"),
    language: document.getElementById("chat-language"),
    status: document.getElementById("chat-status"),
    typing: document.getElementById("chat-typing"),
  };

  // ---- storage ------------------------------------------------------------------

  function loadState() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) {
        return saved;
      }
    } catch (error) {
      // Unreadable or blocked storage: start a fresh conversation.
    }
    return { sessionId: null, language: null, messages: [] };
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (error) {
      // Storage full or disabled: the chat still works, it just won't survive a reload.
    }
  }

  // ---- language -----------------------------------------------------------------

  function supported(code) {
    if (typeof code !== "string") {
      return null;
    }
    var short = code.slice(0, 2).toLowerCase();
    for (var i = 0; i < page.languages.length; i++) {
      if (page.languages[i].code === short) {
        return short;
      }
    }
    return null;
  }

  function browserLanguage() {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < wanted.length; i++) {
      var code = supported(wanted[i]);
      if (code) {
        return code;
      }
    }
    return page.languages[0].code;
  }

  function text(key) {
    var texts = page.texts[state.language] || {};
    var english = page.texts.en || {};
    return texts[key] || english[key] || "";
  }

  function applyLanguage() {
    var info = page.languages.filter(function (l) { return l.code === state.language; })[0] || page.languages[0];
    document.documentElement.lang = info.code;
    document.documentElement.dir = info.dir;
    document.querySelectorAll("[data-text]").forEach(function (node) {
      var value = text(node.getAttribute("data-text"));
      if (value) {
        node.textContent = value;
      }
    });
    document.querySelectorAll("[data-placeholder]").forEach(function (node) {
      var value = text(node.getAttribute("data-placeholder"));
      if (value) {
        node.placeholder = value;
      }
    });
    if (text("name")) {
      document.title = text("name");
    }
    el.language.value = info.code;
  }

  function fillLanguagePicker() {
    el.language.textContent = "";
    page.languages.forEach(function (language) {
      var option = document.createElement("option");
      option.value = language.code;
      option.lang = language.code;
      option.textContent = language.name;
      el.language.appendChild(option);
    });
  }

  // ---- rendering (text only) ----------------------------------------------------

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"»]+$/;

  /** The URL if it is http or https, else null (javascript:, data: … are never links). */
  function safeHref(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  /** Appends ``message`` to ``parent`` as text nodes, with http(s) URLs as links. */
  function appendText(parent, message) {
    var last = 0;
    message.replace(URL_PATTERN, function (match, offset) {
      var candidate = match.replace(TRAILING_PUNCTUATION, "");
      var href = safeHref(candidate);
      parent.appendChild(document.createTextNode(message.slice(last, offset)));
      if (href) {
        var link = document.createElement("a");
        link.href = href;
        link.textContent = candidate;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(candidate));
      }
      last = offset + candidate.length;
      return match;
    });
    parent.appendChild(document.createTextNode(message.slice(last)));
  }

  function renderMessage(message) {
    var item = document.createElement("div");
    item.className = "message message-" + message.from;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = text(message.from === "user" ? "you" : "assistant") + ": ";
    var body = document.createElement("p");
    body.className = "bubble";
    body.dir = "auto";
    appendText(body, message.text);
    item.appendChild(who);
    item.appendChild(body);
    if (message.buttons && message.buttons.length) {
      var replies = document.createElement("div");
      replies.className = "quick-replies";
      message.buttons.forEach(function (button) {
        var control = document.createElement("button");
        control.type = "button";
        control.dir = "auto";
        control.textContent = button.title;
        control.addEventListener("click", function () {
          send(button.payload, button.title);
          el.input.focus(); // the button is gone; keep keyboard users in the chat
        });
        replies.appendChild(control);
      });
      item.appendChild(replies);
    }
    el.log.appendChild(item);
    el.log.scrollTop = el.log.scrollHeight;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    renderMessage(message);
  }

  /** Quick replies answer the latest question only: they go once anything is sent. */
  function clearQuickReplies() {
    state.messages.forEach(function (message) { delete message.buttons; });
    el.log.querySelectorAll(".quick-replies").forEach(function (node) { node.remove(); });
  }

  function setStatus(key) {
    el.status.textContent = text(key);
    el.status.setAttribute("data-state", key);
  }

  function showTyping(visible) {
    el.typing.hidden = !visible;
    window.clearTimeout(typingTimer);
    if (visible) {
      // Not every message gets an answer (e.g. the server restarted meanwhile).
      typingTimer = window.setTimeout(function () { el.typing.hidden = true; }, TYPING_TIMEOUT_MS);
    }
  }

  // ---- conversation -------------------------------------------------------------

  function emit(message) {
    socket.emit("user_uttered", {
      message: message,
      customData: { language: state.language },
      session_id: state.sessionId,
    });
    showTyping(true);
  }

  /** Sends ``message``; shows ``shown`` (or the message) in the transcript unless null. */
  function send(message, shown) {
    clearQuickReplies();
    if (shown !== null) {
      addMessage({ from: "user", text: shown || message });
    } else {
      saveState();
    }
    if (confirmed) {
      emit(message);
    } else {
      waiting.push(message);
    }
  }

  function receive(data) {
    if (!data || typeof data.text !== "string") {
      return; // images, cards and custom payloads are not used by this assistant
    }
    showTyping(false);
    var buttons = (data.quick_replies || data.buttons || [])
      .filter(function (b) { return b && typeof b.title === "string" && typeof b.payload === "string"; })
      .map(function (b) { return { title: b.title, payload: b.payload }; });
    addMessage({ from: "bot", text: data.text, buttons: buttons });
  }

  function connect() {
    // WebSocket only: one connection, so it stays with one Rasa worker process
    // (`make run WORKERS=2`); long-polling's separate requests could reach a worker
    // that does not know the socket.io session.
    socket = window.io({ path: "/socket.io/", transports: ["websocket"] });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (sessionId) {
      var id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
      var isNew = !state.sessionId;
      state.sessionId = id;
      saveState();
      confirmed = true;
      setStatus("connected");
      if (isNew && state.messages.length === 0) {
        send("/help", null); // a first visit starts with the topics as quick replies
      }
      waiting.splice(0).forEach(emit);
    });
    socket.on("disconnect", function () {
      confirmed = false;
      showTyping(false);
      setStatus("reconnecting");
    });
    socket.on("bot_uttered", receive);
  }

  function onLanguageChosen() {
    var code = supported(el.language.value);
    if (!code || code === state.language) {
      return;
    }
    state.language = code;
    saveState();
    applyLanguage();
    el.log.textContent = "";
    state.messages.forEach(renderMessage);
    // The payload switches the conversation language on the server, whatever the
    // language of the messages before; the confirmation comes in the new language.
    send('/set_language{"language": "' + code + '"}', null);
  }

  function start() {
    fillLanguagePicker();
    state.language = supported(state.language) || browserLanguage();
    applyLanguage();
    state.messages.forEach(renderMessage);
    setStatus("connecting");
    el.language.addEventListener("change", onLanguageChosen);
    el.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = el.input.value.trim();
      if (message) {
        el.input.value = "";
        send(message);
      }
    });
    connect();
  }

  fetch("strings.json", { cache: "no-cache" })
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error("strings.json: HTTP " + answer.status);
      }
      return answer.json();
    })
    .then(function (loaded) { page = loaded; })
    .catch(function (error) { console.error("Page texts unavailable, using English:", error); })
    .then(start);
})();
