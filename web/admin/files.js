// A data file edited in the browser (answers, sources, programme): checked by the assistant's
// own validator before it is saved, live on save, with its history.
import { api, clear, day, debounce, el, status, t } from "./ui.js";
import { LANGUAGE_NAMES } from "./faq.js";

export async function fileArea(area, container, parts) {
  if (parts.length && parts[0]) return editor(area, container, parts[0]);
  container.append(el("h1", { text: t(area + "_title") }), el("p", { text: t(area + "_explain") }));
  const reply = await api("files/" + area);
  if (reply.status !== 200) return container.append(el("p", { class: "problem", text: reply.data.error || t("failed") }));
  container.append(el("ul", { id: "files-" + area }, ...reply.data.files.map((name) =>
    el("li", {}, el("a", { href: "#" + area + "/" + encodeURIComponent(name), text: name })))));
}

async function editor(area, container, name) {
  const title = el("h1", { text: name });
  const reply = await api("files/" + area + "/" + encodeURIComponent(name));
  if (reply.status !== 200) { container.append(title, el("p", { class: "problem", text: reply.data.error })); return; }
  const message = el("p", { id: "file-message", role: "status" });
  const problems = el("ul", { id: "file-problems", "aria-live": "polite" });
  const text = el("textarea", { id: "file-text", rows: 30, spellcheck: "false", dir: "ltr", "aria-describedby": "file-problems" });
  text.value = reply.data.text;
  const form = el("form", { id: "file-form" },
    el("label", { for: "file-text", text: t("file_label", { name }) }), text,
    el("p", { class: "row" }, el("button", { type: "submit", id: "file-save", text: t("save") }), " ",
      el("a", { href: "#" + area, text: t("back") })));
  container.append(title, el("p", { text: t(area + "_explain") }), message, problems);
  if (reply.data.answers.length) container.append(answersSection(name, reply.data.answers, message, show));
  container.append(form, history(area, reply.data.history, message));

  function show(found) {
    clear(problems);
    for (const problem of found) problems.append(el("li", { class: "problem", text: problem }));
    if (found.length) text.setAttribute("aria-invalid", "true"); else text.removeAttribute("aria-invalid");
  }
  text.addEventListener("input", debounce(async () => {
    const checked = await api("files/" + area + "/check", { method: "POST", body: { name, text: text.value } });
    if (checked.status === 200) show(checked.data.problems);
  }, 1000));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status(message, t("saving"));
    const saved = await api("files/" + area + "/save", { method: "POST", body: { name, text: text.value } });
    show(saved.data.problems || []);
    if (saved.status === 200) status(message, t("file_saved"));
    else status(message, saved.data.error || t("file_not_saved"), true);
  });
}

function history(area, changes, message) {
  const list = el("ol", { id: "file-history" });
  for (const change of changes) {
    list.append(el("li", {},
      el("span", { text: t("change_line", { when: day(change.at), who: change.user, what: t("action_" + change.action) }) }), " ",
      el("button", { type: "button", class: "restore", text: t("restore_before"), onclick: async () => {
        const reply = await api("files/" + area + "/restore", { method: "POST", body: { change: change.id, version: "before" } });
        if (reply.status === 200) location.reload();
        else status(message, (reply.data.problems || []).join(" ") || reply.data.error || t("failed"), true);
      } })));
  }
  return el("section", { "aria-labelledby": "file-history-title" }, el("h2", { id: "file-history-title", text: t("history") }),
    changes.length ? list : el("p", { text: t("no_history") }));
}

// The file's answers, each with its six languages side by side; a save changes only those texts.
function answersSection(name, answers, message, show) {
  const section = el("section", { id: "answers", "aria-labelledby": "answers-title" }, el("h2", { id: "answers-title", text: t("answers_title") }));
  answers.forEach((answer, index) => {
    const fields = el("div", { class: "languages" });
    for (const code of Object.keys(LANGUAGE_NAMES)) {
      const direction = code === "ar" ? "rtl" : "ltr";
      const column = el("fieldset", { lang: code, dir: direction }, el("legend", { text: LANGUAGE_NAMES[code] + " (" + code + ")" }));
      for (const part of ["text", "after_event"]) {
        if (!(code in answer[part])) continue;
        const fieldId = "a" + index + "-" + part + "-" + code;
        const input = el("textarea", { id: fieldId, rows: 6, "data-part": part, "data-language": code });
        input.value = answer[part][code];
        column.append(el("div", { class: "field" }, el("label", { for: fieldId, text: t(part === "text" ? "field_answer" : "field_after_event") }), input));
      }
      fields.append(column);
    }
    const sources = answer.sources.map((source) => (source.source || "") + (source.supports ? " — " + source.supports : "")).join("\n");
    const save = el("button", { type: "button", class: "answer-save", text: t("save_answer") });
    save.addEventListener("click", async () => {
      const body = { name, id: answer.id, text: {}, after_event: {} };
      for (const input of fields.querySelectorAll("textarea")) body[input.dataset.part][input.dataset.language] = input.value;
      status(message, t("saving"));
      const reply = await api("files/content/answer", { method: "POST", body });
      show(reply.data.problems || []);
      if (reply.status === 200) { status(message, t("file_saved")); setTimeout(() => location.reload(), 800); }
      else status(message, reply.data.error || t("file_not_saved"), true);
    });
    section.append(el("details", { class: "answer", "data-answer": answer.id },
      el("summary", { text: answer.id + (answer.subject ? " · " + answer.subject : "") + (answer.facet ? " · " + answer.facet : "") }),
      fields, el("p", { class: "note", text: t("answer_sources") + " " + (sources || t("answer_unconfirmed")) }), el("p", {}, save)));
  });
  return section;
}
