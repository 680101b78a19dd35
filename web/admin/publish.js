// Publish: runs `python -m bot publish` on the server and follows it step by step.
import { api, clear, day, el, status, t } from "./ui.js";

export const id = "publish";
export const label = "nav_publish";
const POLL_MS = 2000;
let timer = null;

export async function render(container) {
  clearTimeout(timer);
  const button = el("button", { type: "button", id: "publish-start", text: t("publish_start") });
  const message = el("p", { id: "publish-message", role: "status" });
  const view = el("div", { id: "publish-status", "aria-live": "polite" });
  container.append(el("h1", { text: t("publish_title") }), el("p", { text: t("publish_explain") }), el("p", {}, button), message, view);
  button.addEventListener("click", async () => {
    button.disabled = true;
    const reply = await api("publish", { method: "POST" });
    if (reply.status !== 202) status(message, reply.data.error || t("failed"), true);
    show(reply.status === 409 ? reply.data.job : reply.data);
  });

  async function show(data) {
    clear(view);
    const job = data.job;
    if (!job) { view.append(el("p", { text: t("publish_never") })); button.disabled = false; return; }
    const running = job.outcome === "running";
    button.disabled = running;
    view.append(el("p", { id: "publish-outcome", "data-outcome": job.outcome,
      text: t("publish_" + job.outcome, { who: job.user, when: day(job.started), minutes: job.finished ? ((job.finished - job.started) / 60).toFixed(1) : "" }) }));
    const steps = el("ol", { class: "steps", id: "publish-steps" });
    for (const step of data.steps) {
      const title = step.key ? t("step_" + step.key) : step.step;  // known steps in the console's language
      steps.append(el("li", { class: step.state, title: step.step, text: title + (step.took ? " (" + step.took + ")" : "") }));
    }
    view.append(steps);
    if (data.reason) view.append(el("pre", { id: "publish-reason", class: "problem", text: data.reason }));
    if (data.gate.length) view.append(gate(data.gate, job.floor));
    if (running) timer = setTimeout(async () => {
      if (!document.getElementById("publish-status")) return;
      const reply = await api("publish");
      if (reply.status === 200) show(reply.data);
    }, POLL_MS);
  }

  const reply = await api("publish");
  if (reply.status === 200) show(reply.data); else status(message, reply.data.error || t("failed"), true);
}

function gate(rows, floor) {
  const percent = (value) => (100 * value).toFixed(1) + " %";
  return el("table", { id: "publish-gate" },
    el("caption", { text: t("gate_caption", { accuracy: percent(floor[0]), f1: percent(floor[1]) }) }),
    el("thead", {}, el("tr", {}, ...["language", "examples", "accuracy", "macro_f1", "passed"].map((key) => el("th", { scope: "col", text: t("gate_" + key) })))),
    el("tbody", {}, ...rows.map((row) => el("tr", {},
      el("th", { scope: "row", text: row.language }), el("td", { text: String(row.examples) }),
      el("td", { text: percent(row.accuracy) }), el("td", { text: percent(row.macro_f1) }),
      el("td", { class: row.passed ? "note" : "problem", text: row.passed ? t("gate_yes") : t("gate_no") })))));
}
