// DOM helpers for the booth's pages. Election data (titles, names, labels, board messages) only ever
// becomes text nodes: nothing here parses a string as markup, so `<img src=x onerror=...>` as a candidate
// name shows as those characters.

/** The element with this id; throws if the page lacks it (a template and its script out of step). */
export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`page element #${id} is missing`);
  return node;
}

/**
 * A new element: `attributes` are set with setAttribute (never event handlers: names starting with "on"
 * are refused), `children` are nodes or strings (strings become text nodes).
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (/^on/i.test(name)) throw new Error(`el: refusing event-handler attribute ${name}`);
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** Replaces the children of `node` with `children` (nodes or strings as text). */
export function fill(node, ...children) {
  node.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** A <dl> body from [term, description] pairs; descriptions are strings (text) or nodes. */
export function facts(dl, pairs) {
  fill(dl, ...pairs.flatMap(([term, description]) => [el('dt', {}, term), el('dd', {}, description)]));
  return dl;
}

export function show(node, visible = true) {
  node.hidden = !visible;
  return node;
}

/** A page's fixed context: the API base, the election id and the language (data attributes of <body>). */
export function pageContext() {
  const { api, election, lang } = document.body.dataset;
  return { apiBase: api, electionId: election ?? null, lang };
}

/** Shows a message in an alert region (role="alert"), or hides the region when message is empty. */
export function alertMessage(region, message) {
  fill(region, message ? el('p', {}, message) : null);
  region.hidden = !message;
}

/** Moves focus to a step's heading (tabindex="-1") so that screen readers announce the new step. */
export function focusHeading(heading) {
  heading.focus({ preventScroll: false });
  heading.scrollIntoView({ block: 'start' });
}

/** The code in groups of four for reading: "3F2A 91BC …". */
export function groupCode(code) {
  return code.match(/.{1,4}/g).join(' ');
}

/** A confirmation code (or its beginning) for reading: grouped, left to right even in right-to-left text. */
export function codeNode(code) {
  return el('bdi', { dir: 'ltr' }, el('code', {}, groupCode(code)));
}
