// The minutes page: every item's live editors on one page.
import { editorsWatch } from "./editors.js";

editorsWatch(document);
