// The meeting cockpit: one item at a time, moved between without reloading the page. Forms are htmx
// (frontend/ui.js loads it); this file moves between items, keeps the editors' sockets to the item on
// screen, follows the chair, refreshes what was recorded when another screen records something, and
// keeps the time used on the item current.
import { ErrorSummary } from "govuk-frontend";
import { editorsRelease, editorsWatch } from "./editors.js";

const root = document.querySelector(".convene-cockpit");
const itemBox = document.getElementById("cockpit-item");
const status = document.getElementById("cockpit-status");
const follow = document.getElementById("cockpit-follow");
const leads = root.dataset.leads === "true";
let current = root.dataset.item;

const urlFor = (template, key) => template.replace("__key__", encodeURIComponent(key));
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function say(message) {
  if (status) status.textContent = message;
}

function markCurrent() {
  document.querySelectorAll(".convene-cockpit__list [data-key]").forEach((link) => {
    if (link.dataset.key === current) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  });
}

async function go(key, { push = true, byHand = true } = {}) {
  if (!key || key === current && byHand) return;
  const response = await fetch(urlFor(root.dataset.itemUrl, key), { headers: { "HX-Request": "true" } });
  if (!response.ok) { say("That item could not be opened."); return; }
  const html = await response.text();
  editorsRelease(itemBox);
  itemBox.innerHTML = html;
  window.htmx.process(itemBox);
  editorsWatch(itemBox);
  current = key;
  markCurrent();
  if (push) history.pushState({ key }, "", `${root.dataset.pageUrl}?item=${encodeURIComponent(key)}`);
  const heading = document.getElementById("cockpit-heading");
  if (byHand && heading) heading.focus();
  say(`Now on ${heading ? heading.textContent.trim() : "the next item"}.`);
  tick();
  if (leads && byHand) {
    const body = new URLSearchParams({ item: key });
    fetch(root.dataset.focusUrl, { method: "POST", body, headers: { "X-CSRFToken": csrf() } });
  }
  if (byHand && follow && follow.checked && !leads) {
    follow.checked = false; // moving on your own stops following; tick the box to follow again
    say("You are no longer following the chair.");
  }
}

function step(offset) {
  const keys = [...document.querySelectorAll(".convene-cockpit__list [data-key]")].map((a) => a.dataset.key);
  const index = keys.indexOf(current);
  if (index + offset >= 0 && index + offset < keys.length) go(keys[index + offset]);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-key]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  go(link.dataset.key);
});
document.addEventListener("keydown", (event) => {
  if (!event.altKey || !event.shiftKey) return;
  if (event.key === "ArrowRight") { event.preventDefault(); step(1); }
  if (event.key === "ArrowLeft") { event.preventDefault(); step(-1); }
});
window.addEventListener("popstate", (event) => {
  const key = event.state?.key || new URLSearchParams(location.search).get("item");
  if (key) go(key, { push: false });
});

async function toChair() {
  if (!follow || !follow.checked) return;
  const response = await fetch(root.dataset.focusUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { item } = await response.json();
  if (item && item !== current) go(item, { byHand: false });
}
if (follow) follow.addEventListener("change", toChair);

function refreshRecords() {
  const records = document.getElementById("cockpit-records");
  if (!records) return;
  window.htmx.ajax("GET", urlFor(root.dataset.recordsUrl, current), { target: "#cockpit-records", swap: "outerHTML" });
}

// The time used on the item since the chair opened it, against its slot.
function tick() {
  const item = itemBox.querySelector(".convene-cockpit__item");
  const used = itemBox.querySelector(".convene-cockpit__used");
  if (!item || !used || !item.dataset.since) return;
  const minutes = Math.floor((Date.now() - Date.parse(item.dataset.since)) / 60000);
  used.textContent = `${minutes} min${item.dataset.slot ? ` of ${item.dataset.slot}` : ""} used on this item.`;
}
setInterval(tick, 20000);

// The meeting's events: a record saved anywhere refreshes this item's records; the chair's move is followed.
function listen(delay = 1000) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/meetings/${root.dataset.meeting}/events`);
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.type !== "event") return;
    if (data.event === "minutes.focus") toChair();
    else if (data.event === "minutes.event") refreshRecords();
  });
  socket.addEventListener("open", () => { delay = 1000; toChair(); refreshRecords(); });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401 || event.code === 4404) return;
    setTimeout(() => listen(Math.min(delay * 2, 15000)), delay);
  });
}

// A form answered with its errors: the GOV.UK error summary takes focus (its links move focus to the field),
// and the page title says "Error: " while any error shows, as after a full page load.
// On the swap itself, not the settle 20 ms later: ui.js starts (and focuses) the summary on the swap, and the title
// must say "Error: " by the time focus arrives.
document.body.addEventListener("htmx:afterSwap", () => {
  const erred = document.querySelector(".govuk-error-summary") !== null;
  const plain = document.title.replace(/^Error: /, "");
  document.title = erred ? `Error: ${plain}` : plain;  // first: a summary that fails to start must not keep it
  document.querySelectorAll(".govuk-error-summary:not([data-govuk-error-summary-init])").forEach((summary) => {
    try { new ErrorSummary(summary); } catch (error) { summary.focus(); console.warn(error); }
  });
});

history.replaceState({ key: current }, "", location.href);
editorsWatch(itemBox);
listen();
if (leads) {
  // the chair's screen is where the meeting is (the server records nothing when the item is the same)
  fetch(root.dataset.focusUrl, { method: "POST", body: new URLSearchParams({ item: current }),
    headers: { "X-CSRFToken": csrf() } });
}
