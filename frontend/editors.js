// Live minute editors: one TipTap editor per agenda item and section, shared through Yjs over the
// y-websocket protocol. The server holds the state; reconnects resync from it. Used by the minutes page
// and the meeting cockpit (which swaps items in and out, so editors can be destroyed too).
import { Editor, Extension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Collaboration from "@tiptap/extension-collaboration";
import { yCursorPlugin } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";

// Remote cursors carry the name in white 12px text: every colour keeps at least 4.5:1 contrast (WCAG 1.4.3).
const COLOURS = ["#1d70b8", "#b52a15", "#00703c", "#4c2c92", "#8a4b08", "#0b5c8f", "#912b88"];
const me = JSON.parse(document.getElementById("minutes-user")?.textContent || "{}");
const colour = COLOURS[(me.id || 0) % COLOURS.length];
const announcer = document.getElementById("minutes-announcer");
let lastAnnounced = 0;

function announce(message) {
  // polite, throttled, and never moves focus
  const now = Date.now();
  if (!announcer || now - lastAnnounced < 15000) return;
  lastAnnounced = now;
  announcer.textContent = message;
}

function cursors(awareness) {
  return Extension.create({
    name: "remoteCursors",
    addProseMirrorPlugins: () => [yCursorPlugin(awareness)],
  });
}

function toolbar(block, editor) {
  const commands = {
    bold: () => editor.chain().focus().toggleBold().run(),
    heading: () => editor.chain().focus().toggleHeading({ level: 3 }).run(),
    bullets: () => editor.chain().focus().toggleBulletList().run(),
    numbers: () => editor.chain().focus().toggleOrderedList().run(),
  };
  const active = { bold: () => editor.isActive("bold"), heading: () => editor.isActive("heading"),
    bullets: () => editor.isActive("bulletList"), numbers: () => editor.isActive("orderedList") };
  block.querySelectorAll("[data-command]").forEach((button) => {
    button.addEventListener("click", () => commands[button.dataset.command]());
  });
  editor.on("transaction", () => block.querySelectorAll("[data-command]").forEach((button) => {
    button.setAttribute("aria-pressed", String(active[button.dataset.command]()));
  }));
}

function mount(block) {
  const room = block.dataset.room;
  const editable = block.dataset.editable === "true";
  const doc = new Y.Doc();
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const provider = new WebsocketProvider(`${scheme}://${window.location.host}/ws/minutes`, room, doc,
    { disableBc: true, maxBackoffTime: 5000 });
  provider.awareness.setLocalStateField("user", { name: me.name || "Someone", color: colour });
  const status = block.querySelector(".convene-editor__status");
  provider.on("status", ({ status: state }) => {
    block.dataset.status = state;
    if (status) status.textContent = state === "connected" ? "Live" : "Reconnecting…";
  });
  const presence = block.querySelector(".convene-editor__presence");
  provider.awareness.on("change", () => {
    const names = [...provider.awareness.getStates().values()].map((s) => s.user?.name).filter(Boolean);
    if (presence) presence.textContent = names.length ? `Here: ${[...new Set(names)].join(", ")}` : "";
  });
  // Only someone else's edits, once the first sync from the server (what was already written) is done.
  doc.on("update", (_update, origin) => {
    if (origin === provider && provider.synced) announce(`${block.dataset.label} updated by someone else.`);
  });
  const editor = new Editor({
    element: block.querySelector(".convene-editor__surface"),
    editable,
    extensions: [
      StarterKit.configure({ undoRedo: false }),
      Collaboration.configure({ document: doc }),
      cursors(provider.awareness),
    ],
    editorProps: { attributes: {
      class: "convene-editor__content govuk-body", role: "textbox", "aria-multiline": "true",
      "aria-label": block.dataset.label, "aria-readonly": String(!editable),
    } },
  });
  if (editable) toolbar(block, editor);
  window.conveneEditors = window.conveneEditors || {};
  window.conveneEditors[room] = { editor, provider, doc };
}

// One socket per shared text: connect an editor only when it comes near the screen.
const pending = new IntersectionObserver((entries) => {
  entries.filter((entry) => entry.isIntersecting).forEach((entry) => {
    pending.unobserve(entry.target);
    mount(entry.target);
  });
}, { rootMargin: "400px 0px" });

export function editorsWatch(root) {
  root.querySelectorAll("[data-room]").forEach((block) => pending.observe(block));
}

// Close the sockets of the editors inside root (before it leaves the page).
export function editorsRelease(root) {
  root.querySelectorAll("[data-room]").forEach((block) => {
    pending.unobserve(block);
    const live = window.conveneEditors?.[block.dataset.room];
    if (!live) return;
    live.provider.destroy();
    live.editor.destroy();
    live.doc.destroy();
    delete window.conveneEditors[block.dataset.room];
  });
}

