/** gosimple/slug's per-language rune substitutions (the `&` and `@` words, German umlauts). */
const LANG_SUBS: Record<string, Record<string, string>> = {
  en: { "&": "and", "@": "at" },
  de: { "&": "und", "@": "an", ä: "ae", Ä: "Ae", ö: "oe", Ö: "Oe", ü: "ue", Ü: "Ue" },
  es: { "&": "y", "@": "en" },
  fi: { "&": "ja", "@": "at" },
  fr: { "&": "et", "@": "arobase" },
  nl: { "&": "en", "@": "at" },
  nb: { "&": "og", "@": "at", æ: "ae", Æ: "Ae", ø: "oe", Ø: "Oe", å: "aa", Å: "Aa" },
  nn: { "&": "og", "@": "at", æ: "ae", Æ: "Ae", ø: "oe", Ø: "Oe", å: "aa", Å: "Aa" },
  pl: { "&": "i", "@": "na" },
  sv: { "&": "och", "@": "snabel a", ä: "a", Ä: "A", ö: "o", Ö: "O" },
  tr: {
    "&": "ve",
    "@": "et",
    ş: "s",
    Ş: "S",
    ü: "u",
    Ü: "U",
    ö: "o",
    Ö: "O",
    İ: "I",
    ı: "i",
    ğ: "g",
    Ğ: "G",
    ç: "c",
    Ç: "C",
  },
};
const LANG_ALIASES: Record<string, string> = {
  eng: "en",
  deu: "de",
  spa: "es",
  fin: "fi",
  fra: "fr",
  nld: "nl",
  nob: "nb",
  nno: "nn",
  pol: "pl",
  swe: "sv",
  tur: "tr",
};

/** Latin letters that do not decompose into a base letter and marks (unidecode's answers). */
const LATIN: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  Æ: "AE",
  œ: "oe",
  Œ: "OE",
  ø: "o",
  Ø: "O",
  đ: "d",
  Đ: "D",
  ł: "l",
  Ł: "L",
  þ: "th",
  Þ: "TH",
  ð: "d",
  Ð: "D",
  ı: "i",
};

/**
 * gosimple/slug `MakeLang` for Latin-script text: language substitutions, accents removed,
 * lowercase, anything else a dash. Other scripts are dropped rather than transliterated.
 */
export function slugify(s: string, lang: string): string {
  const l = lang.toLowerCase();
  const subs = LANG_SUBS[LANG_ALIASES[l] ?? l] ?? (LANG_SUBS.en as Record<string, string>);
  let out = "";
  for (const c of s.trim()) out += subs[c] ?? c;
  let ascii = "";
  for (const c of out.normalize("NFD").replace(/\p{M}+/gu, ""))
    ascii += (c.codePointAt(0) as number) < 0x80 ? c : (LATIN[c] ?? "-");
  return ascii
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
}

const SKIP_CONTENT = new Set([
  "frame",
  "frameset",
  "iframe",
  "noembed",
  "noframes",
  "noscript",
  "nostyle",
  "object",
  "script",
  "style",
  "title",
]);

/** Go's `html.EscapeString`. */
function escapeText(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;" })[c] as string,
  );
}

/**
 * bluemonday with only the given elements allowed (no attributes): other tags are removed,
 * keeping their text, except script, style and the like, whose content goes too. Text is
 * unescaped and re-escaped as Go's tokenizer prints it.
 */
export function stripHTML(
  s: string,
  allowed: ReadonlySet<string>,
  unescapeText: (s: string) => string,
): string {
  let out = "";
  let skipping: string | undefined;
  const re =
    /<!--[\s\S]*?(?:-->|$)|<\/?([A-Za-z][A-Za-z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*>|<![^>]*>|<\?[^>]*>/g;
  let last = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (skipping === undefined) out += escapeText(unescapeText(s.slice(last, m.index)));
    last = re.lastIndex;
    const name = m[1]?.toLowerCase();
    if (name === undefined) continue;
    const closing = m[0][1] === "/";
    if (skipping !== undefined) {
      if (closing && name === skipping) skipping = undefined;
      continue;
    }
    if (!closing && SKIP_CONTENT.has(name) && !allowed.has(name)) {
      if (!/\/>$/.test(m[0])) skipping = name;
      continue;
    }
    if (allowed.has(name)) out += closing ? `</${name}>` : /\/\s*>$/.test(m[0]) ? `<${name}/>` : `<${name}>`;
  }
  if (skipping === undefined) out += escapeText(unescapeText(s.slice(last)));
  return out;
}
