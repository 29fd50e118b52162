// Every page: GOV.UK Frontend components and htmx (with Django's CSRF token on every request).
import { initAll } from "govuk-frontend";
import htmx from "htmx.org";

window.htmx = htmx;
initAll();

document.body.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
// Components inside swapped-in HTML need initialising too.
document.body.addEventListener("htmx:afterSwap", (event) => initAll({ scope: event.detail.elt }));
