// The knowledge base's answers (data/content/) and their sources (data/sources.yml).
import { fileArea } from "./files.js";

export const id = "content";
export const label = "nav_content";
export const render = (container, parts) => fileArea("content", container, parts);
