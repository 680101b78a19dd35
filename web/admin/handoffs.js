// Hand-offs: the conversations passed to a person (docs/handoff.md), read and answered here as
// in the Slack thread. #handoffs lists the open ones, #handoffs/<id> shows one with a reply box
// and Close. Both ask the server again every few seconds; messages are set as text only.
import { api, clear, day, el, status, t } from "./ui.js";
import { LANGUAGE_NAMES } from "./faq.js";

export const id = "handoffs";
export const label = "nav_handoffs";
const REFRESH_MS = 4000;
const AUTHORS = ["attendee", "assistant", "organiser"];
let timer = null;
let notice = ""; // shown once on the list (after Close)

export async function render(container, [handoffId]) {
  clearTimeout(timer);
  const message = el("p", { id: "handoffs-message", role: "status" });
  container.append(el("h1", { text: t("handoffs_title") }), message);
  if (notice) { status(message, notice); notice = ""; }
  if (handoffId) await showOne(container, handoffId, message);
  else await showList(container, message);
}

// `refresh` again in REFRESH_MS while `node` is on the page and the organiser signed in.
function every(node, refresh) {
  clearTimeout(timer);
  if (node.isConnected && !document.getElementById("area").hidden) timer = setTimeout(refresh, REFRESH_MS);
}

const channelName = (channel) => (t("channel_" + channel) === "channel_" + channel ? channel : t("channel_" + channel));
const languageName = (code) => (LANGUAGE_NAMES[code] || code) + " (" + code + ")";
const problem = (reply) => (reply.data.code === "off" ? t("handoffs_off") : reply.data.error || t("failed"));
const answered = (handoff) => (handoff.answered ? day(handoff.answered) : t("handoffs_not_answered"));

function line(entry, language) {
  const author = AUTHORS.includes(entry.author) ? t("handoff_author_" + entry.author) : entry.author;
  return el("li", { class: "line " + entry.author }, el("strong", { text: author + ": " }), el("span", { lang: language, text: entry.text }));
}

async function showList(container, message) {
  const view = el("div", { id: "handoffs-list" });
  container.append(el("p", { text: t("handoffs_explain") }), view);
  let shown = null;
  async function refresh() {
    const reply = await api("handoffs");
    if (reply.status !== 200) status(message, problem(reply), true);
    else if (JSON.stringify(reply.data) !== shown) { // unchanged: left alone, so focus stays where it is
      shown = JSON.stringify(reply.data);
      clear(view).append(listOf(reply.data));
    }
    every(view, refresh);
  }
  await refresh();
}

function listOf(data) {
  if (!data.enabled) return el("p", { id: "handoffs-off", class: "problem", text: t("handoffs_off") });
  if (!data.handoffs.length) return el("p", { id: "handoffs-none", text: t("handoffs_none") });
  const columns = ["handoffs_opened", "handoffs_channel", "handoffs_language", "handoffs_answered", "handoffs_last", "handoffs_open"];
  return el("table", { id: "handoffs-table" },
    el("caption", { text: t("handoffs_caption", { count: data.handoffs.length }) }),
    el("thead", {}, el("tr", {}, ...columns.map((key) => el("th", { scope: "col", text: t(key) })))),
    el("tbody", {}, ...data.handoffs.map((handoff) => {
      const channel = channelName(handoff.channel);
      const language = languageName(handoff.language);
      return el("tr", { "data-handoff": handoff.id },
        el("td", { text: day(handoff.opened) }),
        el("td", { text: channel }),
        el("td", { text: language }),
        el("td", { text: answered(handoff) }),
        el("td", {}, el("ul", { class: "lines" }, ...handoff.last.map((entry) => line(entry, handoff.language)))),
        el("td", {}, el("a", { href: "#handoffs/" + encodeURIComponent(handoff.id), class: "button", text: t("handoffs_open"),
          "aria-label": t("handoffs_open_label", { channel, language, when: day(handoff.opened) }) })));
    })));
}

async function showOne(container, handoffId, message) {
  const path = "handoffs/" + encodeURIComponent(handoffId);
  const title = el("h2", { id: "handoff-title" });
  const details = el("p", { id: "handoff-details" });
  const log = el("ol", { id: "handoff-log", class: "lines" });
  const text = el("textarea", { id: "handoff-text", rows: "4", maxlength: "2000" });
  const send = el("button", { type: "submit", id: "handoff-send", text: t("handoff_send") });
  const close = el("button", { type: "button", id: "handoff-close", class: "danger", text: t("handoff_close") });
  const form = el("form", { id: "handoff-reply" },
    el("p", { class: "field" }, el("label", { for: "handoff-text", text: t("handoff_reply") }), text),
    el("p", { class: "row" }, send, close));
  container.append(el("p", {}, el("a", { href: "#handoffs", text: t("handoffs_back") })), title, details,
    el("h3", { id: "handoff-log-title", text: t("handoff_conversation") }),
    el("div", { role: "log", "aria-labelledby": "handoff-log-title" }, log), form);
  let language = "";

  function gone() {
    clearTimeout(timer);
    status(message, t("handoff_gone"), true);
    text.disabled = send.disabled = close.disabled = true;
  }

  async function refresh() {
    const reply = await api(path);
    if (reply.status === 404) return gone();
    if (reply.status !== 200) status(message, problem(reply), true);
    else {
      const { handoff, lines } = reply.data;
      language = handoff.language;
      title.textContent = t("handoff_title", { channel: channelName(handoff.channel), language: languageName(language) });
      details.textContent = t("handoff_details", { when: day(handoff.opened), answered: answered(handoff) });
      if (handoff.waits_from * 1000 > Date.now()) details.textContent += " " + t("handoff_outside_hours", { when: day(handoff.waits_from) });
      if (lines.length < log.children.length) clear(log);
      for (const entry of lines.slice(log.children.length)) log.append(line(entry, language)); // new ones only: read out once
    }
    every(log, refresh);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { status(message, t("handoff_empty"), true); text.focus(); return; }
    send.disabled = true;
    const reply = await api(path + "/reply", { method: "POST", body: { text: text.value } });
    send.disabled = false;
    if (reply.status === 404) return gone();
    if (reply.status !== 200) return status(message, problem(reply), true);
    text.value = "";
    status(message, t("handoff_sent"));
    await refresh();
  });

  close.addEventListener("click", async () => {
    if (!window.confirm(t("handoff_close_confirm"))) return;
    const reply = await api(path + "/close", { method: "POST" });
    if (reply.status === 404) return gone();
    if (reply.status !== 200) return status(message, problem(reply), true);
    notice = t("handoff_closed");
    location.hash = "#handoffs";
  });

  await refresh();
}
