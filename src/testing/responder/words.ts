/** Words as the default responder compares them: for enum choices, tool arguments and embeddings. */

/** Words that say nothing about a text's subject. */
const stopWords = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it ' +
    'its me my no not of on or our she so than that the their them then there these they this to too up us was we ' +
    'were what when where which who why will with would you your please hi hello thanks'
  ).split(' '),
);

/** Lower-case words of a text, split at anything not a letter or digit and at camelCase humps (`orderId` → order, id). */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** The words of a text that carry meaning: stop words and one-letter words left out. */
export function contentWords(text: string): string[] {
  return wordsOf(text).filter((word) => word.length > 1 && !stopWords.has(word));
}

/**
 * A crude stem, so that inflections meet: billing, billed, bills → bill; crashes, crashed → crash; invoiced,
 * invoices → invoic. Only endings are cut, and never below three letters.
 */
export function stem(word: string): string {
  return withoutFinalE(withoutEnding(word));
}

function withoutEnding(word: string): string {
  const keep = (suffix: string) => word.endsWith(suffix) && word.length - suffix.length >= 3;
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly']) if (keep(suffix)) return word.slice(0, -suffix.length);
  // crashes → crash, boxes → box, but times → time
  if (keep('es') && /(s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (keep('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** invoice and invoiced, charge and charged: both lose the e. */
function withoutFinalE(word: string): string {
  return word.length > 3 && word.endsWith('e') ? word.slice(0, -1) : word;
}

/** True when a text word and a keyword are the same word up to its ending (`billed` and `billing`). */
export function wordMatches(word: string, keyword: string): boolean {
  return word === keyword || stem(word) === stem(keyword);
}
