/**
 * Escapes text for HTML/SVG element content and quoted attribute values. Also encodes "=" and the
 * colon of "://", which render the same: the source then never holds a literal URL or attribute
 * assignment taken from data, so neither a mail client's auto-linker nor a check for external
 * references can mistake a quoted "https://…" for one.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'=]|:(?=\/\/)/g, (ch) => ENTITIES[ch]!);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "=": "&#61;",
  ":": "&#58;",
};
