// Progressive enhancement only: every page works without it. Loaded as a module from a file,
// because the Content-Security-Policy allows no inline script.
import { initAll } from "./govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
