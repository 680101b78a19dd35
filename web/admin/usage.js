// Usage: questions per topic, per language and day, and the fallback rate (the report's numbers).
import { api, el, t } from "./ui.js";

export const id = "usage";
export const label = "nav_usage";

export async function render(container) {
  container.append(el("h1", { text: t("usage_title") }));
  const reply = await api("usage");
  if (reply.status !== 200) return container.append(el("p", { class: "problem", text: reply.data.error || t("failed") }));
  const data = reply.data;
  if (data.note) container.append(el("p", { class: "note", text: data.note }));
  container.append(el("p", { id: "usage-summary", text: t("usage_summary", { questions: data.questions, conversations: data.conversations }) }));
  container.append(bars("usage-topics", t("usage_per_topic"), data.per_topic, (value) => String(value)));
  container.append(bars("usage-languages", t("usage_per_language"), data.per_language, (value) => String(value)));
  if (data.days.length) {
    const languages = Object.keys(data.per_language_per_day).sort();
    container.append(el("table", { id: "usage-days" },
      el("caption", { text: t("usage_per_day") }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("day") }),
        ...languages.map((code) => el("th", { scope: "col", text: code })),
        el("th", { scope: "col", text: t("usage_fallback") }))),
      el("tbody", {}, ...data.days.map((day, i) => el("tr", {}, el("th", { scope: "row", text: day }),
        ...languages.map((code) => el("td", { text: String(data.per_language_per_day[code][i]) })),
        el("td", { text: Math.round(100 * data.fallback_rate[i]) + " %" }))))));
    container.append(bars("usage-fallback", t("usage_fallback_chart"),
      data.days.map((day, i) => [day, data.fallback_rate[i]]), (value) => Math.round(100 * value) + " %", 1));
  }
}

// A horizontal bar chart as a labelled list: label, bar (its width by CSSOM), value.
function bars(id, title, rows, format, top = null) {
  const most = top ?? Math.max(1, ...rows.map(([, value]) => value));
  const chart = el("div", { class: "bars", role: "list", "aria-labelledby": id + "-title" });
  for (const [name, value] of rows) {
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    bar.style.width = Math.max(1, (100 * value) / most) + "%";
    chart.append(el("span", { role: "listitem", class: "bar-label", text: name + ": " + format(value) }), el("span", { class: "bar-track" }, bar));
  }
  return el("section", { id }, el("h2", { id: id + "-title", text: title }), rows.length ? chart : el("p", { text: t("usage_none") }));
}
