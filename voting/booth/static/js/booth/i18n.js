// The booth's strings for scripts: the server puts the catalogue of the page's language (compiled from the
// same .po files as the pages, voting/booth/strings.py) into <script type="application/json"
// id="booth-strings">. Placeholders are Python's %(name)s; values are inserted as text by the caller.

let catalogue = null;

function load() {
  if (catalogue === null) {
    const node = document.getElementById('booth-strings');
    catalogue = node === null ? {} : JSON.parse(node.textContent);
  }
  return catalogue;
}

/** The translated string `key` with %(name)s replaced by params[name]; throws for an unknown key. */
export function t(key, params = {}) {
  const text = load()[key];
  if (typeof text !== 'string') throw new Error(`booth string ${key} is missing from the catalogue`);
  return text.replace(/%\((\w+)\)s/g, (_, name) => {
    if (!Object.hasOwn(params, name)) throw new Error(`booth string ${key}: no value for ${name}`);
    return String(params[name]);
  });
}
