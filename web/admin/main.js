// The console's frame: texts, sign-in/out, navigation between areas (#area/…).
// Each area is a module with `id`, `label` (a text key) and `render(container, parts)`;
// adding one is an import and an entry in AREAS.
import { api, clear, el, setSession, setTexts, t } from "./ui.js";
import * as faq from "./faq.js";
import * as inbox from "./inbox.js";
import * as handoffs from "./handoffs.js";
import * as publish from "./publish.js";
import * as content from "./content.js";
import * as programme from "./programme.js";
import * as usage from "./usage.js";

const AREAS = [faq, inbox, handoffs, publish, content, programme, usage];
const LANGUAGE_KEY = "console-language";
let allTexts = {};

function applyTexts() {
  const language = document.getElementById("console-language").value;
  setTexts(allTexts[language] || {}, allTexts.en || {});
  document.documentElement.lang = language;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
}

function showNav() {
  const nav = clear(document.getElementById("nav"));
  const list = el("ul");
  for (const area of AREAS) list.append(el("li", {}, el("a", { href: "#" + area.id, "data-area": area.id, text: t(area.label) })));
  nav.append(list);
  nav.hidden = false;
}

async function route() {
  const [id, ...parts] = decodeURIComponent(location.hash.slice(1) || AREAS[0].id).split("/");
  const area = AREAS.find((candidate) => candidate.id === id) || AREAS[0];
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.area === area.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const container = clear(document.getElementById("area"));
  await area.render(container, parts);
}

function signedIn(session) {
  setSession(session);
  document.getElementById("sign-in").hidden = true;
  document.getElementById("area").hidden = false;
  const who = document.getElementById("who");
  who.textContent = t("signed_in_as", { name: session.user });
  who.hidden = false;
  document.getElementById("sign-out").hidden = false;
  showNav();
  route();
}

function signedOut(message = "") {
  setSession(null);
  document.getElementById("area").hidden = true;
  document.getElementById("nav").hidden = true;
  document.getElementById("who").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("sign-in").hidden = false;
  document.getElementById("sign-in-message").textContent = message;
  document.getElementById("sign-in-name").focus();
}

async function signIn(event) {
  event.preventDefault();
  const name = document.getElementById("sign-in-name").value;
  const password = document.getElementById("sign-in-password");
  const { status, data } = await api("sign-in", { method: "POST", body: { name, password: password.value } });
  password.value = "";
  if (status === 200) return signedIn(data);
  const message = document.getElementById("sign-in-message");
  if (data.code === "locked") message.textContent = t("sign_in_locked", { minutes: Math.ceil(data.retry_after / 60) });
  else if (status === 429) message.textContent = t("sign_in_slow_down");
  else message.textContent = t("sign_in_wrong");
}

async function start() {
  const select = document.getElementById("console-language");
  select.value = localStorage.getItem(LANGUAGE_KEY) || (navigator.language || "en").slice(0, 2);
  if (!select.value) select.value = "en";
  try { allTexts = await (await fetch("/admin/texts.json")).json(); } catch (_) { allTexts = {}; }
  applyTexts();
  select.addEventListener("change", () => {
    localStorage.setItem(LANGUAGE_KEY, select.value);
    applyTexts();
    if (!document.getElementById("nav").hidden) { showNav(); route(); }
  });
  document.getElementById("sign-in-form").addEventListener("submit", signIn);
  document.getElementById("sign-out").addEventListener("click", async () => {
    await api("sign-out", { method: "POST" });
    signedOut();
  });
  window.addEventListener("console-signed-out", () => signedOut(t("signed_out")));
  window.addEventListener("hashchange", route);
  const { status, data } = await api("session");
  if (status === 200) signedIn(data); else signedOut();
}

start();
