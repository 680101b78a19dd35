// The FAQ: a searchable table; an entry with its six languages side by side, the checks of
// `faq check` next to the field at fault; new, delete, import, export, history, restore.
import { api, clear, day, debounce, el, status, t } from "./ui.js";

export const id = "faq";
export const label = "nav_faq";

export const LANGUAGE_NAMES = { en: "English", fr: "Français", nl: "Nederlands", es: "Español", de: "Deutsch", ar: "العربية" };
const DRAFT_KEY = "faq-draft";
let flash = null;  // what the last save did, shown by the editor it reopens

export async function render(container, parts) {
  if (parts.length && parts[0]) return editor(container, parts[0] === "new" ? null : parts[0]);
  return table(container);
}

// A new entry pre-filled elsewhere (the inbox): stored, then opened at #faq/new.
export function startDraft(fields) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(fields));
  location.hash = "#faq/new";
}

function statusText(mark) {
  return mark ? t("unpublished_" + mark) : t("published");
}

async function table(container) {
  container.append(el("h1", { text: t("faq_title") }));
  const message = el("p", { role: "status" });
  const search = el("input", { id: "faq-search", type: "search" });
  const tools = el("div", { class: "row" },
    el("p", {}, el("label", { for: "faq-search", text: t("search") }), " ", search),
    el("p", {}, el("a", { href: "#faq/new", class: "button", id: "faq-new", text: t("new_entry") })),
    el("p", {}, el("a", { href: "/admin/api/faq/export.csv", download: "faq.csv", text: t("export_csv") }), " · ",
      el("a", { href: "/admin/api/faq/export.xlsx", download: "faq.xlsx", text: t("export_xlsx") })));
  container.append(tools, importForm(message), message);
  const { status: code, data } = await api("faq");
  if (code !== 200) return status(message, data.error || t("failed"), true);
  const body = el("tbody");
  const rows = data.entries.map((entry) => {
    const row = el("tr", {},
      el("td", {}, el("a", { href: "#faq/" + encodeURIComponent(entry.id), text: entry.id })),
      el("td", { text: entry.topic }),
      el("td", { text: entry.question[0] || "" }),
      el("td", { text: entry.languages.length + "/" + data.languages.length }),
      el("td", { text: entry.updated }),
      el("td", { class: entry.unpublished ? "mark" : "", text: statusText(entry.unpublished) }));
    body.append(row);
    return { row, text: entry.searchable };
  });
  search.addEventListener("input", () => {
    const words = search.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    for (const { row, text } of rows) row.hidden = !words.every((word) => text.includes(word));
  });
  container.append(el("table", { id: "faq-table" },
    el("caption", { text: t("faq_caption", { count: data.entries.length }) }),
    el("thead", {}, el("tr", {}, ...["id", "topic", "first_question", "languages", "updated", "state"]
      .map((key) => el("th", { scope: "col", text: t("col_" + key) })))),
    body));
}

function importForm(message) {
  const file = el("input", { id: "faq-import-file", type: "file", accept: ".csv,.xlsx", name: "sheet" });
  const report = el("ul", { id: "faq-import-report" });
  const form = el("form", { class: "row" },
    el("label", { for: "faq-import-file", text: t("import_sheet") }), " ", file, " ",
    el("button", { type: "submit", text: t("import") }), report);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(report);
    if (!file.files.length) return status(message, t("choose_file"), true);
    const data = new FormData();
    data.append("sheet", file.files[0]);
    const reply = await api("faq/import", { method: "POST", form: data });
    if (reply.status === 200) {
      status(message, reply.data.publish ? t("imported_publish") : t("imported_live"));
      setTimeout(() => location.reload(), 1500);
    } else status(message, reply.data.error || t("import_refused"), true);
    for (const finding of reply.data.findings || []) report.append(el("li", { class: finding.error ? "problem" : "note", text: describe(finding) }));
  });
  return form;
}

function describe(finding) {
  const where = finding.row > 1 ? t("row", { row: finding.row }) + (finding.column ? ", " + finding.column : "") : finding.column;
  return (finding.error ? t("error") : t("warning")) + (where ? " (" + where + ")" : "") + ": " + finding.message;
}

function field(name, labelText, multiline, attributes = {}) {
  const input = el(multiline ? "textarea" : "input", { id: "f-" + name, name, "aria-describedby": "e-" + name, ...attributes });
  if (multiline) input.rows = name.startsWith("questions") ? 7 : 5;
  return el("div", { class: "field" },
    el("label", { for: "f-" + name, text: labelText }), input,
    el("p", { id: "e-" + name, class: "finding", "aria-live": "polite" }));
}

async function editor(container, entryId) {
  const title = el("h1", { text: entryId ? t("entry_title", { id: entryId }) : t("new_entry") });
  const message = el("p", { id: "faq-message", role: "status" });
  const general = el("ul", { id: "faq-findings" });
  let languages = ["en", "fr", "nl", "es", "de", "ar"];
  let entry = {};
  let history = [];
  let unpublished = "";
  if (entryId) {
    const reply = await api("faq/entry/" + encodeURIComponent(entryId));
    if (reply.status !== 200) { container.append(title, el("p", { class: "problem", text: reply.data.error })); return; }
    ({ entry, history, unpublished } = reply.data);
  } else {
    entry = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "{}");
    sessionStorage.removeItem(DRAFT_KEY);
  }
  const form = el("form", { id: "faq-form", novalidate: true });
  form.append(el("div", { class: "row" },
    field("id", t("field_id"), false, { required: true }),
    field("topic", t("field_topic"), false),
    field("source", t("field_source"), false)));
  const columns = el("div", { class: "languages" });
  for (const code of languages) {
    const text = { lang: code, dir: code === "ar" ? "rtl" : "ltr" };
    columns.append(el("fieldset", { lang: code, dir: text.dir },
      el("legend", { text: LANGUAGE_NAMES[code] + " (" + code + ")" }),
      field("questions_" + code, t("field_questions"), true, text),
      field("answer_" + code, t("field_answer"), true, text),
      field("after_event_" + code, t("field_after_event"), true, text)));
  }
  form.append(columns);
  for (const input of form.querySelectorAll("input, textarea")) input.value = entry[input.name] || "";
  const save = el("button", { type: "submit", id: "faq-save", text: t("save") });
  const actions = el("p", { class: "row" }, save, " ", el("a", { href: "#faq", text: t("back") }));
  if (entryId) actions.append(" ", el("button", { type: "button", id: "faq-delete", class: "danger", text: t("delete"), onclick: remove }));
  form.append(actions);
  container.append(title, unpublished ? el("p", { class: "mark", text: statusText(unpublished) }) : "", message, general, form);
  if (flash) { status(message, flash); flash = null; }
  if (entryId) container.append(historyList(history, entryId, message));

  function values() {
    const row = {};
    for (const input of form.querySelectorAll("input, textarea")) row[input.name] = input.value;
    return row;
  }

  function show(findings) {
    clear(general);
    for (const node of form.querySelectorAll(".finding")) node.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    for (const finding of findings) {
      const target = document.getElementById("e-" + finding.column);
      if (target && finding.row === entryRow) {
        target.textContent += (target.textContent ? " " : "") + (finding.error ? "" : t("warning") + ": ") + finding.message;
        target.className = finding.error ? "finding problem" : "finding note";
        if (finding.error) document.getElementById("f-" + finding.column).setAttribute("aria-invalid", "true");
      } else general.append(el("li", { class: finding.error ? "problem" : "note", text: describe(finding) }));
    }
  }

  let entryRow = null;
  const check = debounce(async () => {
    const reply = await api("faq/check", { method: "POST", body: { entry: values(), original: entryId } });
    if (reply.status === 200) {
      entryRow = reply.data.row;
      show(reply.data.findings);
    }
  }, 700);
  form.addEventListener("input", check);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status(message, t("saving"));
    const reply = await api("faq/save", { method: "POST", body: { entry: values(), original: entryId } });
    entryRow = reply.data.row;
    show(reply.data.findings || []);
    if (reply.status === 200) {
      flash = reply.data.publish ? t("saved_publish") : t("saved_live");
      const newId = values().id;
      if (newId !== entryId) location.hash = "#faq/" + encodeURIComponent(newId);  // the router opens it
      else render(clear(container), [newId]);
    } else status(message, reply.data.error || t("not_saved"), true);
  });

  async function remove() {
    if (!window.confirm(t("delete_confirm", { id: entryId }))) return;
    const reply = await api("faq/entry/" + encodeURIComponent(entryId), { method: "DELETE" });
    if (reply.status === 200) location.hash = "#faq";
    else { show(reply.data.findings || []); status(message, reply.data.error || t("not_saved"), true); }
  }
  if (!entryId && Object.keys(entry).length) check();
}

function historyList(history, entryId, message) {
  const list = el("ol", { id: "faq-history", reversed: true });
  for (const change of history) {
    const restoreTo = change.action === "create" ? "after" : "before";
    list.append(el("li", {},
      el("span", { text: t("change_line", { when: day(change.at), who: change.user, what: t("action_" + change.action) }) }), " ",
      el("details", {}, el("summary", { text: t("show_versions") }),
        el("pre", { text: t("before") + ":\n" + JSON.stringify(change.before, null, 1) + "\n\n" + t("after") + ":\n" + JSON.stringify(change.after, null, 1) })),
      el("button", { type: "button", class: "restore", "data-change": change.id, text: t("restore_" + restoreTo), onclick: async () => {
        const reply = await api("faq/restore", { method: "POST", body: { change: change.id, version: restoreTo } });
        if (reply.status === 200) location.hash = "#faq/" + encodeURIComponent(entryId) + "/" + Date.now();
        else status(message, reply.data.error || t("not_saved"), true);
      } })));
  }
  return el("section", { "aria-labelledby": "history-title" }, el("h2", { id: "history-title", text: t("history") }), history.length ? list : el("p", { text: t("no_history") }));
}
