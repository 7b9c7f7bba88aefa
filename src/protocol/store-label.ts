/**
 * Namespace labels that every LangGraph store accepts, built from any string (a graph id, a thread id, a user's name).
 *
 * The stores disagree on what a label may hold: all refuse `.`, an empty label and the root label `langgraph`; the JS
 * `BaseStore` (InMemoryStore) also refuses `:` and NUL; `@langchain/langgraph-checkpoint-postgres`'s PostgresStore
 * refuses `%`, `_` and `\` (SQL LIKE wildcards) and joins labels with `:`, so a `:` inside a label would come back
 * as two labels. A graph id such as `batch_bridge`, `my.bridge` or `langgraph` is therefore not a label by itself.
 *
 * `storeLabel` keeps `[A-Za-z0-9-]` as it is (so labels stay readable in a store browser) and writes every other UTF-16
 * code unit as `~XX` (below 256) or `~uXXXX` (upper-case hex). `~` is itself escaped, so the mapping can be decoded
 * and two different ids never share a label. The empty id becomes `~` (no escape is that short) and the id
 * `langgraph` becomes `~6Canggraph` (its first letter escaped), so no label is ever the reserved root.
 */
const plain = /^[A-Za-z0-9-]$/;
const reservedRoot = 'langgraph';

function escapeUnit(code: number): string {
  return code < 0x100
    ? `~${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `~u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A label valid on every LangGraph store, stable for the same id and different for different ids. */
export function storeLabel(id: string): string {
  if (id === '') return '~';
  if (id === reservedRoot) return `${escapeUnit(reservedRoot.charCodeAt(0))}${reservedRoot.slice(1)}`;
  let label = '';
  // Code units, not code points: a lone surrogate must stay distinct from U+FFFD and from other lone surrogates.
  for (let i = 0; i < id.length; i += 1) {
    const char = id[i];
    label += plain.test(char) ? char : escapeUnit(id.charCodeAt(i));
  }
  return label;
}

/** The id a `storeLabel` came from (for listing namespaces); throws on a string `storeLabel` cannot produce. */
export function idFromStoreLabel(label: string): string {
  if (label === '~') return '';
  let id = '';
  for (let i = 0; i < label.length;) {
    const char = label[i];
    if (char !== '~') {
      if (!plain.test(char)) throw new Error(`not a store label: ${JSON.stringify(label)}`);
      id += char;
      i += 1;
      continue;
    }
    const wide = label[i + 1] === 'u';
    const hex = wide ? label.slice(i + 2, i + 6) : label.slice(i + 1, i + 3);
    if (!/^[0-9A-F]+$/.test(hex) || hex.length !== (wide ? 4 : 2) || (wide && parseInt(hex, 16) < 0x100)) {
      throw new Error(`not a store label: ${JSON.stringify(label)}`);
    }
    id += String.fromCharCode(parseInt(hex, 16));
    i += wide ? 6 : 3;
  }
  // Only the canonical form decodes: otherwise two labels (`langgraph` is one) would name the same id.
  if (storeLabel(id) !== label) throw new Error(`not a store label: ${JSON.stringify(label)}`);
  return id;
}
