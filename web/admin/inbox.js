// The inbox: unanswered questions grouped by language and wording, each added to an entry,
// turned into a new entry, or dismissed; how many per day and language.
import { api, clear, el, status, t } from "./ui.js";
import { LANGUAGE_NAMES, startDraft } from "./faq.js";

export const id = "inbox";
export const label = "nav_inbox";

export async function render(container) {
  container.append(el("h1", { text: t("inbox_title") }));
  const message = el("p", { id: "inbox-message", role: "status" });
  container.append(message);
  const [inbox, faq] = await Promise.all([api("inbox"), api("faq")]);
  if (inbox.status !== 200) return status(message, inbox.data.error || t("failed"), true);
  if (inbox.data.note) status(message, inbox.data.note);
  const entries = faq.status === 200 ? faq.data.entries.map((entry) => entry.id) : [];
  container.append(countsTable(inbox.data.per_day, inbox.data.languages));
  const groups = inbox.data.groups;
  if (!groups.length) { container.append(el("p", { text: t("inbox_empty") })); return; }
  let language = null;
  let list = null;
  groups.forEach((group, index) => {
    if (group.language !== language) {
      language = group.language;
      container.append(el("h2", { text: (LANGUAGE_NAMES[language] || language) + " (" + language + ")" }));
      list = el("ul", { class: "inbox" });
      container.append(list);
    }
    list.append(groupItem(group, index, entries, message));
  });
}

// A group whose language was not detected ("?") has no lang attribute: "?" is no language tag.
function languageTag(code) {
  return LANGUAGE_NAMES[code] ? code : undefined;
}

function countsTable(perDay, languages) {
  const days = Object.keys(perDay);
  if (!days.length) return el("p", { text: t("inbox_no_counts") });
  return el("table", { id: "inbox-counts" },
    el("caption", { text: t("inbox_counts") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("day") }), ...languages.map((code) => el("th", { scope: "col", text: code })))),
    el("tbody", {}, ...days.map((when) => el("tr", {}, el("th", { scope: "row", text: when }),
      ...languages.map((code) => el("td", { text: String(perDay[when][code] || 0) }))))));
}

function groupItem(group, index, entries, message) {
  const chooser = el("select", { id: "inbox-entry-" + index },
    el("option", { value: "", text: t("choose_entry") }), ...entries.map((entry) => el("option", { value: entry, text: entry })));
  const item = el("li", { class: "inbox-group", "data-language": group.language },
    el("p", {}, el("strong", { text: group.count + "× " }), el("span", { class: "wording", lang: languageTag(group.language), text: group.example }),
      " ", el("span", { class: "note", text: "(" + (group.first === group.last ? group.first : group.first + " – " + group.last) + ")" })),
    group.wordings.length > 1 ? el("p", { lang: languageTag(group.language), text: t("also_asked") + ": " + group.wordings.filter((w) => w !== group.example).join(" · ") }) : "",
    el("div", { class: "row" },
      el("p", {}, el("label", { for: "inbox-entry-" + index, text: t("add_to_entry") }), " ", chooser, " ",
        el("button", { type: "button", class: "inbox-add", text: t("add"), onclick: add })),
      el("p", {}, el("button", { type: "button", class: "inbox-new", text: t("start_entry"), onclick: () => {
        startDraft({ topic: "practical", ["questions_" + group.language]: group.wordings.join("\n") });
      } })),
      el("p", {}, el("button", { type: "button", class: "inbox-dismiss", text: t("dismiss"), onclick: dismiss }))));

  async function add() {
    if (!chooser.value) return status(message, t("choose_entry_first"), true);
    const reply = await api("inbox/add", { method: "POST", body: { language: group.language, wordings: group.wordings, entry: chooser.value } });
    if (reply.status === 200) { item.remove(); status(message, t("inbox_added", { entry: chooser.value })); }
    else status(message, reply.data.error || (reply.data.findings || []).filter((f) => f.error).map((f) => f.message).join(" ") || t("not_saved"), true);
  }

  async function dismiss() {
    const reply = await api("inbox/dismiss", { method: "POST", body: { language: group.language, wordings: group.wordings } });
    if (reply.status === 200) { item.remove(); status(message, t("inbox_dismissed")); }
    else status(message, reply.data.error || t("failed"), true);
  }
  return item;
}
