// The programme (data/programme/programme.yml) the agenda answers from.
import { fileArea } from "./files.js";

export const id = "programme";
export const label = "nav_programme";
export const render = (container, parts) => fileArea("programme", container, parts);
